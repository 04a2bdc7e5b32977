namespace Emulator.Cli;

/// <summary>QEMU's -pidfile: emu's process id in a file while the guest runs, removed again at exit.</summary>
public sealed class PidFile : IDisposable
{
    private readonly string path;

    private PidFile(string path) => this.path = path;

    /// <summary>Writes the file (its path was checked with <see cref="OutputFile.CheckWritable"/>).</summary>
    public static PidFile Write(string path)
    {
        File.WriteAllText(path, Environment.ProcessId + "\n");
        return new PidFile(path);
    }

    public void Dispose()
    {
        try
        {
            File.Delete(path);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            // Leaving a stale pid file behind is not worth a failure at exit.
        }
    }
}
