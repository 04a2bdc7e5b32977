namespace Benchmarks.Machine;

/// <summary>Finds guest images under Guest/build (or Guest/prebuilt) above the benchmark's folder.</summary>
public static class GuestImages
{
    public static string Find(string relative)
    {
        for (string? dir = AppContext.BaseDirectory; dir is not null; dir = Path.GetDirectoryName(dir))
        {
            foreach (string sub in new[] { "build", "prebuilt" })
            {
                string candidate = Path.Combine(dir, "Guest", sub, relative);
                if (File.Exists(candidate))
                {
                    return candidate;
                }
            }
        }

        throw new FileNotFoundException("guest image not found above " + AppContext.BaseDirectory, relative);
    }
}
