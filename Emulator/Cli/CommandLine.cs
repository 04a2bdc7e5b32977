using System.CommandLine;
using System.Net.Sockets;
using System.Text.Json;
using Cpu.Translation;
using Devices.Serial;
using Devices.Storage;
using Devices.Timing;
using Emulator.Boot;
using Emulator.Display;
using Emulator.Display.Integration;
using Emulator.Gdb;
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

    /// <summary>Disks a machine takes (PCI slots 3 onwards).</summary>
    public const int MaxDrives = 8;

    public static int Run(string[] args)
    {
        var kernel = new Argument<string?>("kernel") { Description = "Multiboot kernel to boot (default: the bundled Mica image)", Arity = ArgumentArity.ZeroOrOne };
        var initrd = new Option<string?>("--initrd") { Description = "Boot modules, comma-separated; each \"FILE args\" with its own command line (as QEMU)" };
        var append = new Option<string?>("--append") { Description = "Kernel command line" };
        var mem = new Option<string>("--mem", "-m") { Description = "Guest RAM: 256M, 1G, 512K or bytes", DefaultValueFactory = _ => "256M" };
        var display = new Option<string?>("--display") { HelpName = "window|none", Description = "window: the default when a display is available (else emu says so and runs without one); closing it powers the machine off. Right Ctrl + P pause, S screenshot, O counters, I integer scaling, Q power off" };
        var serial = new Option<string>("--serial") { Description = "COM1: stdio, none, or a FILE to write", DefaultValueFactory = _ => "stdio" };
        var clock = new Option<string?>("--clock") { HelpName = "deterministic|realtime", Description = "deterministic (time follows instructions; the default without a window) or realtime (the wall clock; the default with a window, where an idle guest leaves the host idle)" };
        var timeout = new Option<double?>("--timeout") { Description = "Stop after this many host seconds (exit status 6)" };
        var stats = new Option<bool>("--stats") { Description = "Print counters and guest MIPS on stderr at exit" };
        var statsJson = new Option<string?>("--stats-json") { Description = "Write the counters as JSON to FILE" };
        var jit = new Option<string>("--jit") { Description = "off (interpreter only), on (compile hot guest code to IL) or always (compile every block on first run)", DefaultValueFactory = _ => "on" };
        var trace = new Option<string?>("--trace") { Description = "Write an instruction trace with disassembly to FILE (slow)" };
        var screenshot = new Option<string?>("--screenshot") { HelpName = "FILE", Description = "Save the guest's screen as a PNG to FILE (the framebuffer at its own resolution, or the serial console text before the guest sets a graphics mode), with or without a window: when the run ends, or at --screenshot-at" };
        var screenshotAt = new Option<string?>("--screenshot-at") { HelpName = "TEXT", Description = "Take the --screenshot the first time COM1's output contains TEXT (anywhere, e.g. \"mica> \"); if it never does, no file is written" };
        var drive = new Option<string[]>("--drive") { HelpName = "file=PATH,format=raw,if=virtio[,readonly=on]", Description = "A raw disk image as a virtio-blk PCI disk (repeat for several)", AllowMultipleArgumentsPerToken = false };
        var gdb = new Option<string?>("--gdb") { HelpName = "tcp::PORT", Description = "Serve gdb's remote protocol on localhost:PORT (gdb: target remote :PORT); see README \"Debugging with gdb\"" };
        var gdbDefault = new Option<bool>("-s") { Description = "Shorthand for --gdb tcp::1234, as QEMU" };
        var gdbWait = new Option<bool>("--gdb-wait", "-S") { Description = "With --gdb or -s: wait for gdb before the first instruction (QEMU's -S)" };
        var run = new Command("run", "Boot a multiboot kernel (by default the bundled Mica image). " + ExitStatus.Table)
        {
            kernel, initrd, append, mem, display, serial, clock, timeout, stats, statsJson, trace,
            screenshot, screenshotAt, jit, drive, gdb, gdbDefault, gdbWait,
        };
        run.SetAction(parsed => RunMachine(new RunOptions(
            parsed.GetValue(kernel),
            parsed.GetValue(initrd),
            parsed.GetValue(append),
            parsed.GetValue(mem) ?? "256M",
            parsed.GetValue(display),
            parsed.GetValue(serial) ?? "stdio",
            parsed.GetValue(clock),
            parsed.GetValue(timeout),
            parsed.GetValue(stats),
            parsed.GetValue(statsJson),
            parsed.GetValue(trace),
            parsed.GetValue(screenshot),
            parsed.GetValue(screenshotAt),
            parsed.GetValue(jit) ?? "on",
            parsed.GetValue(drive) ?? [],
            parsed.GetValue(gdbDefault) ? "tcp::" + GdbEndpoint.DefaultPort : parsed.GetValue(gdb),
            parsed.GetValue(gdbWait))));

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
        if (o.Display is not (null or "window" or "none"))
        {
            return Fail(ExitStatus.UsageError, $"unknown --display '{o.Display}' (use window or none)");
        }

        if (o.ScreenshotAt is not null && o.Screenshot is null)
        {
            return Fail(ExitStatus.UsageError, "--screenshot-at needs --screenshot FILE");
        }

        if (o.ScreenshotAt is "")
        {
            return Fail(ExitStatus.UsageError, "--screenshot-at needs a non-empty TEXT");
        }

        if (o.Screenshot is not null && !ScreenshotPathIsWritable(o.Screenshot, out string shotError))
        {
            return Fail(ExitStatus.UsageError, "--screenshot: " + shotError);
        }

        // An interactive window wants the guest on the wall clock; the deterministic clock races ahead while the guest idles.
        bool windowLikely = o.Display != "none" && DisplayAvailability.MissingReason() is null;
        ClockMode clockMode;
        switch (o.Clock ?? (windowLikely ? "realtime" : "deterministic"))
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

        int gdbPort = 0;
        if (o.Gdb is not null && !GdbEndpoint.TryParsePort(o.Gdb, out gdbPort, out string gdbError))
        {
            return Fail(ExitStatus.UsageError, "--gdb: " + gdbError);
        }

        if (o.GdbWait && o.Gdb is null)
        {
            return Fail(ExitStatus.UsageError, "--gdb-wait (-S) needs --gdb tcp::PORT or -s");
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

        var drives = new List<DriveConfiguration>();
        foreach (string spec in o.Drives)
        {
            if (!DriveSpec.TryParse(spec, out DriveConfiguration d, out string driveError))
            {
                return Fail(ExitStatus.UsageError, "--drive: " + driveError);
            }

            drives.Add(d);
        }

        if (drives.Count > MaxDrives)
        {
            return Fail(ExitStatus.UsageError, $"--drive: at most {MaxDrives} disks");
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

        using var display = new MachineDisplay(o.Screenshot, o.ScreenshotAt);
        var config = new MachineConfiguration
        {
            MemorySize = memory,
            KernelPath = kernelPath,
            Modules = MultibootModule.ParseList(initrd),
            CommandLine = o.Append ?? string.Empty,
            ClockMode = clockMode,
            SerialOutput = display.SerialSink(sink),
            SerialInputFromStdin = stdin,
            KeepSerialTranscript = false,
            Trace = traceWriter,
            Jit = jitMode,
            Drives = drives,
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
        catch (DiskImageException ex)
        {
            return Fail(ExitStatus.BadImage, ex.Message);
        }

        GdbServer? gdbServer = null;
        if (o.Gdb is not null)
        {
            gdbServer = new GdbServer(machine, o.GdbWait, GdbEndpoint.IsElf64(kernelPath));
            try
            {
                gdbServer.Listen(gdbPort);
            }
            catch (SocketException ex)
            {
                machine.Dispose();
                return Fail(ExitStatus.UsageError, $"--gdb: cannot listen on localhost:{gdbPort}: {ex.Message}");
            }

            if (o.GdbWait)
            {
                Console.Error.WriteLine($"emu: waiting for gdb on localhost:{gdbPort} (gdb -ex 'target remote :{gdbPort}')");
            }
        }

        using (machine)
        using (traceWriter)
        using (gdbServer)
        {
            display.Attach(machine);
            if (o.Display != "none")
            {
                // The window opens only once the image loaded, so a bad image never flashes one.
                string? noWindow = display.TryOpenWindow(new WindowOptions("emu - " + (o.Kernel is null ? "Mica" : Path.GetFileName(kernelPath))));
                if (noWindow is not null && o.Display == "window")
                {
                    return Fail(ExitStatus.NotAvailable, "--display window: " + noWindow);
                }

                if (noWindow is not null)
                {
                    string onClock = o.Clock is null && clockMode == ClockMode.Realtime ? " on the wall clock" : string.Empty;
                    Console.Error.WriteLine($"emu: {noWindow}; running without a window{onClock} (--display none)");
                }
            }

            RunResult result;
            bool windowClosed;
            try
            {
                (result, windowClosed) = display.Run(o.Timeout is double seconds ? RunCondition.Timeout(TimeSpan.FromSeconds(seconds)) : RunCondition.GuestStops);
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
            foreach (string notice in display.Finish())
            {
                Console.Error.WriteLine("emu: " + notice);
            }

            Report(o, result);
            if (windowClosed)
            {
                return Fail(ExitStatus.WindowClosed, "the window was closed; the machine was powered off");
            }

            int status = result.Cause switch
            {
                StopCause.DebugExit => result.DebugExitStatus ?? ExitStatus.GuestStopped,
                StopCause.Timeout => Fail(ExitStatus.Timeout, $"timeout: the guest did not stop within {o.Timeout} s"),
                StopCause.TripleFault => Fail(ExitStatus.TripleFault, $"the guest triple-faulted at RIP 0x{machine.Processor.State.Rip:X}"),
                _ => ExitStatus.GuestStopped,
            };
            gdbServer?.MachineEnded(status);
            return status;
        }
    }

    private static bool ScreenshotPathIsWritable(string path, out string error)
    {
        string? directory = Path.GetDirectoryName(Path.GetFullPath(path));
        error = Directory.Exists(path) ? $"{path} is a directory"
            : directory is not null && !Directory.Exists(directory) ? $"the directory {directory} does not exist"
            : string.Empty;
        return error.Length == 0;
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
        string? Display,
        string Serial,
        string? Clock,
        double? Timeout,
        bool Stats,
        string? StatsJson,
        string? Trace,
        string? Screenshot,
        string? ScreenshotAt,
        string Jit,
        string[] Drives,
        string? Gdb,
        bool GdbWait);
}
