namespace Emulator.Cli;

/// <summary>
/// Checks an output path (--stats-json, --screenshot, -pidfile) before the guest runs, so a typo costs no run:
/// opens it for writing as the final write will, and removes it again when it did not exist before.
/// </summary>
public static class OutputFile
{
    public static bool CheckWritable(string path, out string error)
    {
        error = string.Empty;
        if (Directory.Exists(path))
        {
            error = $"cannot write {path}: it is a directory";
            return false;
        }

        string? directory = Path.GetDirectoryName(Path.GetFullPath(path));
        if (directory is not null && !Directory.Exists(directory))
        {
            error = $"cannot write {path}: the directory {directory} does not exist";
            return false;
        }

        bool existed = File.Exists(path);
        try
        {
            using (new FileStream(path, FileMode.OpenOrCreate, FileAccess.Write))
            {
            }

            if (!existed)
            {
                File.Delete(path);
            }

            return true;
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or NotSupportedException)
        {
            error = $"cannot write {path}: {ex.Message}";
            return false;
        }
    }
}
