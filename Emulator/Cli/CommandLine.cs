using System.CommandLine;
using System.Text.Json;
using Cpu.Translation;
using Devices.Serial;
using Devices.Timing;
using Emulator.Boot;
using Emulator.Machines;

namespace Emulator.Cli;

/// <summary>
/// The `emu` command line: a thin shell over <see cref="Machine"/>. Bad input gets one line on stderr and
/// a non-zero exit status (<see cref="ExitStatus"/>), never a stack trace.
/// </summary>
public static class CommandLine
{
    /// <summary>Exit status for bad flags or arguments.</summary>
    public const int UsageError = ExitStatus.UsageError;

    public static int Run(string[] args)
    {
        var kernel = new Argument<string?>("kernel") { Description = "Multiboot kernel to boot (default: the bundled Mica image)", Arity = ArgumentArity.ZeroOrOne };
        var initrd = new Option<string?>("--initrd") { Description = "Boot modules, comma-separated; each \"FILE args\" with its own command line (as QEMU)" };
        var append = new Option<string?>("--append") { Description = "Kernel command line" };
        var mem = new Option<string>("--mem", "-m") { Description = "Guest RAM: 256M, 1G, 512K or bytes", DefaultValueFactory = _ => "256M" };
        var display = new Option<string>("--display") { Description = "window or none", DefaultValueFactory = _ => "none" };
        var serial = new Option<string>("--serial") { Description = "COM1: stdio, none, or a FILE to write", DefaultValueFactory = _ => "stdio" };
        var clock = new Option<string>("--clock") { Description = "deterministic (time follows instructions) or realtime", DefaultValueFactory = _ => "deterministic" };
        var timeout = new Option<double?>("--timeout") { Description = "Stop after this many host seconds (exit status 6)" };
        var stats = new Option<bool>("--stats") { Description = "Print counters and guest MIPS on stderr at exit" };
        var statsJson = new Option<string?>("--stats-json") { Description = "Write the counters as JSON to FILE" };
        var jit = new Option<string>("--jit") { Description = "off (interpreter only), on (compile hot guest code to IL) or always (compile every block on first run)", DefaultValueFactory = _ => "on" };
        var trace = new Option<string?>("--trace") { Description = "Write an instruction trace with disassembly to FILE (slow)" };
        var run = new Command("run", "Boot a multiboot kernel (by default the bundled Mica image). " + ExitStatus.Table)
        {
            kernel, initrd, append, mem, display, serial, clock, timeout, stats, statsJson, trace, jit,
        };
        run.SetAction(parsed => RunMachine(new RunOptions(
            parsed.GetValue(kernel),
            parsed.GetValue(initrd),
            parsed.GetValue(append),
            parsed.GetValue(mem) ?? "256M",
            parsed.GetValue(display) ?? "none",
            parsed.GetValue(serial) ?? "stdio",
            parsed.GetValue(clock) ?? "deterministic",
            parsed.GetValue(timeout),
            parsed.GetValue(stats),
            parsed.GetValue(statsJson),
            parsed.GetValue(trace),
            parsed.GetValue(jit) ?? "on")));

        var root = new RootCommand("emu: a full-system x86-64 emulator that runs the Mica microkernel. " + ExitStatus.Table) { run };
        ParseResult result = root.Parse(args);
        if (result.Errors.Count > 0)
        {
            Console.Error.WriteLine("emu: " + result.Errors[0].Message + " (see emu --help)");
            return UsageError;
        }

        return result.Invoke();
    }

    private static int Fail(int status, string message)
    {
        Console.Error.WriteLine("emu: " + message);
        return status;
    }

    private static int RunMachine(RunOptions o)
    {
        if (o.Display == "window")
        {
            return Fail(ExitStatus.NotAvailable, "--display window is not available yet (use --display none)");
        }

        if (o.Display != "none")
        {
            return Fail(ExitStatus.UsageError, $"unknown --display '{o.Display}' (use window or none)");
        }

        ClockMode clockMode;
        switch (o.Clock)
        {
            case "deterministic": clockMode = ClockMode.Deterministic; break;
            case "realtime": clockMode = ClockMode.Realtime; break;
            default: return Fail(ExitStatus.UsageError, $"unknown --clock '{o.Clock}' (use deterministic or realtime)");
        }

        JitMode jitMode;
        switch (o.Jit)
        {
            case "off": jitMode = JitMode.Off; break;
            case "on": jitMode = JitMode.On; break;
            case "always": jitMode = JitMode.Always; break;
            default: return Fail(ExitStatus.UsageError, $"unknown --jit '{o.Jit}' (use off, on or always)");
        }

        if (!MemorySize.TryParse(o.Memory, out ulong memory, out string memError))
        {
            return Fail(ExitStatus.UsageError, "--mem: " + memError);
        }

        if (memory < MachineConfiguration.MinimumMemorySize)
        {
            return Fail(ExitStatus.UsageError, $"--mem {o.Memory} is too small (at least 2M)");
        }

        if (memory > 64UL << 30)
        {
            return Fail(ExitStatus.UsageError, $"--mem {o.Memory} is too large (at most 64G)");
        }

        if ((memory & 0xFFF) != 0)
        {
            return Fail(ExitStatus.UsageError, $"--mem {o.Memory} is not a whole number of 4 KiB pages");
        }

        if (o.Timeout is double t && (double.IsNaN(t) || t <= 0))
        {
            return Fail(ExitStatus.UsageError, "--timeout must be a positive number of seconds");
        }

        if (o.Kernel is not null && o.Kernel.StartsWith('-') && !File.Exists(o.Kernel))
        {
            return Fail(ExitStatus.UsageError, $"unknown option '{o.Kernel}' (see emu --help)");
        }

        string? kernelPath = o.Kernel;
        string? initrd = o.Initrd;
        if (kernelPath is null)
        {
            (string Kernel, string InitFs)? bundled = BundledImage.Find();
            if (bundled is null)
            {
                return Fail(ExitStatus.BadImage, "no kernel given and the bundled Mica image (Guest/build or Guest/prebuilt mica.elf + initfs.tar) was not found");
            }

            kernelPath = bundled.Value.Kernel;
            initrd ??= bundled.Value.InitFs;
        }

        ISerialSink? sink = null;
        bool stdin = false;
        switch (o.Serial)
        {
            case "stdio":
                sink = new StreamSerialSink(Console.OpenStandardOutput(), ownsStream: false);
                stdin = true;
                break;
            case "none":
                break;
            default:
                try
                {
                    sink = new StreamSerialSink(File.Create(o.Serial), ownsStream: true);
                }
                catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
                {
                    return Fail(ExitStatus.UsageError, $"--serial: cannot write {o.Serial}: {ex.Message}");
                }

                break;
        }

        StreamWriter? traceWriter = null;
        if (o.Trace is not null)
        {
            try
            {
                traceWriter = new StreamWriter(o.Trace);
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
            {
                return Fail(ExitStatus.UsageError, $"--trace: cannot write {o.Trace}: {ex.Message}");
            }
        }

        var config = new MachineConfiguration
        {
            MemorySize = memory,
            KernelPath = kernelPath,
            Modules = MultibootModule.ParseList(initrd),
            CommandLine = o.Append ?? string.Empty,
            ClockMode = clockMode,
            SerialOutput = sink,
            SerialInputFromStdin = stdin,
            KeepSerialTranscript = false,
            Trace = traceWriter,
            Jit = jitMode,
        };

        Machine machine;
        try
        {
            machine = new Machine(config);
        }
        catch (FileNotFoundException ex)
        {
            return Fail(ExitStatus.BadImage, ex.Message);
        }
        catch (BootImageException ex)
        {
            return Fail(ExitStatus.BadImage, $"{kernelPath}: {ex.Message}");
        }

        using (machine)
        using (traceWriter)
        {
            RunResult result;
            try
            {
                result = machine.RunUntil(o.Timeout is double seconds ? RunCondition.Timeout(TimeSpan.FromSeconds(seconds)) : RunCondition.GuestStops);
            }
            catch (NotImplementedException ex)
            {
                return Fail(ExitStatus.InternalError, $"not implemented yet at guest RIP 0x{machine.Processor.State.Rip:X}: {ex.Message}");
            }
            catch (EmulatorFaultException ex)
            {
                return Fail(ExitStatus.InternalError, ex.Message);
            }

            sink?.Flush();
            Report(o, result);
            return result.Cause switch
            {
                StopCause.DebugExit => result.DebugExitStatus ?? ExitStatus.GuestStopped,
                StopCause.Timeout => Fail(ExitStatus.Timeout, $"timeout: the guest did not stop within {o.Timeout} s"),
                StopCause.TripleFault => Fail(ExitStatus.TripleFault, $"the guest triple-faulted at RIP 0x{machine.Processor.State.Rip:X}"),
                _ => ExitStatus.GuestStopped,
            };
        }
    }

    private static void Report(RunOptions o, RunResult result)
    {
        if (o.Stats)
        {
            Console.Error.Write(result.Counters.ToText());
        }

        if (o.StatsJson is not null)
        {
            try
            {
                File.WriteAllText(o.StatsJson, JsonSerializer.Serialize(result.Counters, MachineCountersJson.Default.MachineCounters));
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
            {
                Console.Error.WriteLine($"emu: --stats-json: cannot write {o.StatsJson}: {ex.Message}");
            }
        }
    }

    private sealed record RunOptions(
        string? Kernel,
        string? Initrd,
        string? Append,
        string Memory,
        string Display,
        string Serial,
        string Clock,
        double? Timeout,
        bool Stats,
        string? StatsJson,
        string? Trace,
        string Jit);
}
