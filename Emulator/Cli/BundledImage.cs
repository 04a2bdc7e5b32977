namespace Emulator.Cli;

/// <summary>Finds the bundled Mica image (Guest/build, else Guest/prebuilt) near the executable or the working directory.</summary>
public static class BundledImage
{
    public static (string Kernel, string InitFs)? Find()
    {
        foreach (string start in new[] { AppContext.BaseDirectory, Environment.CurrentDirectory })
        {
            string? dir = start;
            while (dir is not null)
            {
                foreach (string sub in new[] { Path.Combine("Guest", "build"), Path.Combine("Guest", "prebuilt") })
                {
                    string kernel = Path.Combine(dir, sub, "mica.elf");
                    string initfs = Path.Combine(dir, sub, "initfs.tar");
                    if (File.Exists(kernel) && File.Exists(initfs))
                    {
                        return (kernel, initfs);
                    }
                }

                dir = Path.GetDirectoryName(dir);
            }
        }

        return null;
    }
}
