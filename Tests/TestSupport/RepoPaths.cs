namespace TestSupport;

/// <summary>Locates the repository and the guest images built from it.</summary>
public static class RepoPaths
{
    private static readonly Lazy<string> LazyRoot = new(FindRoot);

    /// <summary>The repository root (the folder holding Emulator.sln).</summary>
    public static string Root => LazyRoot.Value;

    /// <summary>Guest/ in the repository.</summary>
    public static string Guest => Path.Combine(Root, "Guest");

    /// <summary>
    /// A guest image by its path under Guest/build (for example "mica.elf" or "tests/hello.elf"),
    /// falling back to Guest/prebuilt when the build folder lacks it (a machine without gcc).
    /// </summary>
    public static string GuestImage(string relative)
    {
        string built = Path.Combine(Guest, "build", relative);
        if (File.Exists(built))
        {
            return built;
        }

        return Path.Combine(Guest, "prebuilt", relative);
    }

    private static string FindRoot()
    {
        string? dir = AppContext.BaseDirectory;
        while (dir is not null)
        {
            if (File.Exists(Path.Combine(dir, "Emulator.sln")))
            {
                return dir;
            }

            dir = Path.GetDirectoryName(dir);
        }

        throw new InvalidOperationException("Emulator.sln not found above " + AppContext.BaseDirectory);
    }
}
