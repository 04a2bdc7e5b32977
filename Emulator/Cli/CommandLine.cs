using System.CommandLine;

namespace Emulator.Cli;

/// <summary>
/// The `emu` command line: a thin shell over the library. Bad input gets one line on stderr and a
/// non-zero exit status, never a stack trace.
/// </summary>
public static class CommandLine
{
    /// <summary>Exit status for bad flags or arguments.</summary>
    public const int UsageError = 2;

    public static int Run(string[] args)
    {
        var kernel = new Argument<FileInfo?>("kernel") { Description = "Multiboot kernel to boot (default: the bundled Mica image)", Arity = ArgumentArity.ZeroOrOne };
        var run = new Command("run", "Boot a kernel (by default the bundled Mica image)") { kernel };
        run.SetAction(_ =>
        {
            Console.Error.WriteLine("emu: the machine is not built yet (filed as the machine issue)");
            return 1;
        });

        var root = new RootCommand("emu: a full-system x86-64 emulator that runs the Mica microkernel") { run };
        ParseResult parsed = root.Parse(args);
        if (parsed.Errors.Count > 0)
        {
            Console.Error.WriteLine("emu: " + parsed.Errors[0].Message + " (see emu --help)");
            return UsageError;
        }

        return parsed.Invoke();
    }
}
