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
        // `emu run ...` (the old spelling) and `emu ...` are one command.
        QemuArguments? qemu = QemuArguments.Translate(args is ["run", ..] ? args[1..] : args, out string qemuError);
        if (qemu is null)
        {
            return Fail(UsageError, qemuError);
        }

        var kernel = new Argument<string?>("kernel") { Description = "Multiboot kernel to boot (default: the bundled Mica image); QEMU's -kernel FILE says the same", Arity = ArgumentArity.ZeroOrOne };
        var initrd = new Option<string?>("--initrd") { Description = "Boot modules, comma-separated; each \"FILE args\" with its own command line (as QEMU)" };
        var append = new Option<string?>("--append") { Description = "Kernel command line" };
        var mem = new Option<string>("--mem", "-m") { Description = "Guest RAM, as QEMU's -m: 256 (MiB), 256M, 1G, 512K, 4096B", DefaultValueFactory = _ => "256M" };
        var display = new Option<string?>("--display") { HelpName = "window|none", Description = "window: the default when a display is available (else emu says so and runs without one); closing it powers the machine off. Right Ctrl + P pause, S screenshot, O counters, I integer scaling, Q power off" };
        var serial = new Option<string>("--serial") { HelpName = "stdio|mon:stdio|none|file:FILE|FILE", Description = "COM1: stdio (on a terminal: raw, with QEMU's Ctrl-A escapes; Ctrl-A h lists them), none, or a FILE to write", DefaultValueFactory = _ => "stdio" };
        var clock = new Option<string?>("--clock") { HelpName = "deterministic|realtime", Description = "deterministic (time follows instructions; the default when no one is at the keyboard) or realtime (the wall clock; the default with a window or a terminal on stdin)" };
        var timeout = new Option<string?>("--timeout") { HelpName = "SECONDS", Description = "Stop after this many host seconds (exit status 6)" };
        var stats = new Option<bool>("--stats") { Description = "Print counters and guest MIPS on stderr at exit" };
        var statsJson = new Option<string?>("--stats-json") { Description = "Write the counters as JSON to FILE" };
        var jit = new Option<string>("--jit") { Description = "off (interpreter only), on (compile hot guest code to IL) or always (compile every block on first run)", DefaultValueFactory = _ => "on" };
        var trace = new Option<string?>("--trace") { Description = "Write an instruction trace with disassembly to FILE (slow)" };
        var screenshot = new Option<string?>("--screenshot") { HelpName = "FILE", Description = "Save the guest's screen as a PNG to FILE (the framebuffer at its own resolution, or the serial console text before the guest sets a graphics mode), with or without a window: when the run ends, or at --screenshot-at" };
        var screenshotAt = new Option<string?>("--screenshot-at") { HelpName = "TEXT", Description = "Take the --screenshot the first time COM1's output contains TEXT (anywhere, e.g. \"mica> \"); if it never does, no file is written" };
        var drive = new Option<string[]>("--drive") { HelpName = "file=PATH,format=raw,if=virtio[,readonly=on][,aio=threads|inline]", Description = "A raw disk image as a virtio-blk PCI disk (repeat for several)", AllowMultipleArgumentsPerToken = false };
        var gdb = new Option<string?>("--gdb") { HelpName = "tcp::PORT", Description = "Serve gdb's remote protocol on localhost:PORT (gdb: target remote :PORT); QEMU's -gdb tcp::PORT and -s (tcp::1234) say the same; see README \"Debugging with gdb\"" };
        var noReboot = new Option<bool>("--no-reboot") { Description = "A reset (0xCF9, port 0x92, the keyboard controller, host key + R) or a triple fault ends the run instead of rebooting (QEMU's -no-reboot)" };
        var gdbWait = new Option<bool>("--gdb-wait") { Description = "With --gdb: wait for gdb before the first instruction (QEMU's -S)" };
        var run = new RootCommand("emu: a full-system x86-64 emulator that runs the Mica microkernel; a drop-in for qemu-system-x86_64 -kernel "
            + "(it also takes -kernel -initrd -append -m -serial -display -nographic -no-reboot -no-shutdown -device isa-debug-exit -smp 1 "
            + "-cpu -machine -accel tcg -vga std -name -pidfile -monitor none, in QEMU's spelling). `emu run ...` is the same command. " + ExitStatus.Table)
        {
            kernel, initrd, append, mem, display, serial, clock, timeout, stats, statsJson, trace,
            screenshot, screenshotAt, jit, drive, gdb, gdbWait, noReboot,
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
            [.. parsed.GetValue(drive) ?? [], .. qemu.Drives],
            parsed.GetValue(gdb) ?? qemu.GdbEndpoint,
            parsed.GetValue(gdbWait) || qemu.WaitForDebugger,
            parsed.GetValue(noReboot) || qemu.NoReboot,
            qemu)));

        ParseResult result = run.Parse([.. qemu.EmuArguments]);
        if (result.Errors.Count > 0)
        {
            Console.Error.WriteLine("emu: " + result.Errors[0].Message + " (see emu --help)");
            return UsageError;
        }

        // Exceptions leave the action for Program's one-line fallback (never System.CommandLine's stack trace),
        // and Ctrl-C is the guest's business, not a cancellation.
        return result.Invoke(new InvocationConfiguration { EnableDefaultExceptionHandler = false, ProcessTerminationTimeout = null });
    }

    private static int Fail(int status, string message)
    {
        Console.Error.WriteLine("emu: " + message);
        return status;
    }

    private static int RunMachine(RunOptions o)
    {
        QemuArguments q = o.Qemu;
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

        // A person at the keyboard (a window, or a terminal on stdin) wants the wall clock; the deterministic
        // clock races ahead while the guest idles. Without one (CI, pipes) runs repeat exactly.
        bool windowLikely = o.Display != "none" && DisplayAvailability.MissingReason() is null;
        bool terminalInput = o.Serial is "stdio" or "mon:stdio" && !Console.IsInputRedirected;
        ClockMode clockMode;
        switch (o.Clock ?? (windowLikely || terminalInput ? "realtime" : "deterministic"))
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

        if (memory > MachineConfiguration.MaximumMemorySize)
        {
            return Fail(ExitStatus.UsageError, $"--mem {o.Memory} is too large (at most 64G)");
        }

        if ((memory & 0xFFF) != 0)
        {
            return Fail(ExitStatus.UsageError, $"--mem {o.Memory} is not a whole number of 4 KiB pages");
        }

        TimeSpan? timeout = null;
        if (o.Timeout is not null)
        {
            if (!TimeoutSeconds.TryParse(o.Timeout, out TimeSpan parsedTimeout, out string timeoutError))
            {
                return Fail(ExitStatus.UsageError, timeoutError);
            }

            timeout = parsedTimeout;
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

        // Every output path is checked before the guest runs: a typo must not cost a run.
        foreach ((string flag, string? path) in new[] { ("--screenshot", o.Screenshot), ("--stats-json", o.StatsJson), ("-pidfile", q.PidFile) })
        {
            if (path is not null && !OutputFile.CheckWritable(path, out string pathError))
            {
                return Fail(ExitStatus.UsageError, $"{flag}: {pathError}");
            }
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
            case "mon:stdio":
                sink = new StreamSerialSink(Console.OpenStandardOutput(), ownsStream: false);
                stdin = true;
                break;
            case "none":
                break;
            default:
                string serialPath = o.Serial.StartsWith("file:", StringComparison.Ordinal) ? o.Serial[5..] : o.Serial;
                try
                {
                    sink = new StreamSerialSink(File.Create(serialPath), ownsStream: true);
                }
                catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
                {
                    return Fail(ExitStatus.UsageError, $"--serial: cannot write {serialPath}: {ex.Message}");
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

        // A terminal on stdin goes raw (restored on every way out); QEMU's Ctrl-A escapes work there and on mon:stdio.
        using TerminalRawMode? rawTerminal = stdin && terminalInput ? TerminalRawMode.TryEnter() : null;
        Machine? running = null;
        SerialEscapes? escapes = stdin && (rawTerminal is not null || o.Serial == "mon:stdio")
            ? new SerialEscapes(() => running?.RequestStop(), SerialEscapes.WriteToTerminal)
            : null;
        using var display = new MachineDisplay(o.Screenshot, o.ScreenshotAt);
        var config = new MachineConfiguration
        {
            StdinFilter = escapes,
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
            DebugExitPort = q.DebugExitPort,
            DebugExitSize = q.DebugExitSize,
            PcTestDevice = q.PcTestDevice,
            PciTestDevice = q.PciTestDevice,
            NoReboot = o.NoReboot,
        };

        Machine machine;
        try
        {
            machine = new Machine(config);
        }
        catch (IOException ex)
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
        catch (OutOfMemoryException)
        {
            return Fail(ExitStatus.NotAvailable, $"--mem {o.Memory}: this host cannot allocate {memory >> 20} MiB of guest RAM");
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

        running = machine;
        using (machine)
        using (traceWriter)
        using (gdbServer)
        {
            display.Attach(machine);
            if (o.Display != "none")
            {
                // The window opens only once the image loaded, so a bad image never flashes one.
                string title = q.Name ?? "emu - " + (o.Kernel is null ? "Mica" : Path.GetFileName(kernelPath));
                string? noWindow = display.TryOpenWindow(new WindowOptions(title));
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

            using PidFile? pidFile = q.PidFile is null ? null : PidFile.Write(q.PidFile);
            RunResult result;
            bool windowClosed;
            try
            {
                (result, windowClosed) = display.Run(timeout is TimeSpan t ? RunCondition.Timeout(t) : RunCondition.GuestStops);
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

            bool reported = Report(o, result);
            if (windowClosed)
            {
                return Fail(ExitStatus.WindowClosed, "the window was closed; the machine was powered off");
            }

            if (!reported || display.WriteFailed)
            {
                // The guest's own status would hide that an output the user asked for is missing.
                gdbServer?.MachineEnded(ExitStatus.OutputError);
                return ExitStatus.OutputError;
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

    /// <summary>Prints and writes the counters; false when --stats-json could not be written.</summary>
    private static bool Report(RunOptions o, RunResult result)
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
                return false;
            }
        }

        return true;
    }

    private sealed record RunOptions(
        string? Kernel,
        string? Initrd,
        string? Append,
        string Memory,
        string? Display,
        string Serial,
        string? Clock,
        string? Timeout,
        bool Stats,
        string? StatsJson,
        string? Trace,
        string? Screenshot,
        string? ScreenshotAt,
        string Jit,
        string[] Drives,
        string? Gdb,
        bool GdbWait,
        bool NoReboot,
        QemuArguments Qemu);
}
