using Emulator.Cli;

try
{
    return CommandLine.Run(args);
}
catch (Exception ex)
{
    // Nothing may escape as a stack trace: one line, and the internal-error status.
    Console.Error.WriteLine($"emu: internal error: {ex.GetType().Name}: {ex.Message.Split('\n')[0]}");
    return ExitStatus.InternalError;
}
