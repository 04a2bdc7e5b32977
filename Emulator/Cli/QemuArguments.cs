using Devices.Debug;

namespace Emulator.Cli;

/// <summary>
/// qemu-system-x86_64's flags in QEMU's own spelling and meaning (-kernel, -m 256, -serial mon:stdio,
/// -nographic, ...), so `emu` can replace QEMU in a Makefile. <see cref="Translate"/> rewrites the flags emu
/// shares into emu's spelling and keeps what only QEMU spells in named properties; a QEMU flag emu does
/// not have is refused by name, never ignored. emu's own flags pass through untouched.
/// </summary>
public sealed class QemuArguments
{
    /// <summary>The default gdb endpoint of -s (QEMU: "-gdb tcp::1234").</summary>
    public const string DefaultGdbEndpoint = "tcp::1234";

    private readonly List<string> emuArguments = [];
    private readonly List<string> drives = [];

    private QemuArguments()
    {
    }

    /// <summary>The command line in emu's own spelling, for the System.CommandLine parser.</summary>
    public IReadOnlyList<string> EmuArguments => emuArguments;

    /// <summary>-device isa-debug-exit,iobase=P: the port of the debug-exit device (QEMU's default is 0x501).</summary>
    public ushort DebugExitPort { get; private set; } = DebugExit.DefaultPort;

    /// <summary>-device isa-debug-exit,iosize=N: how many ports it decodes.</summary>
    public int DebugExitSize { get; private set; } = 1;

    /// <summary>-device pc-testdev: QEMU's ISA test device.</summary>
    public bool PcTestDevice { get; private set; }

    /// <summary>-device pci-testdev: QEMU's PCI test device.</summary>
    public bool PciTestDevice { get; private set; }

    /// <summary>-name: the window title.</summary>
    public string? Name { get; private set; }

    /// <summary>-pidfile: where to write emu's process id.</summary>
    public string? PidFile { get; private set; }

    /// <summary>-no-reboot: a reset or a triple fault ends the run (with its exit status) instead of rebooting.</summary>
    public bool NoReboot { get; private set; }

    /// <summary>-no-shutdown: when the guest powers off, resets or triple-faults, stay (stopped) until the user quits.</summary>
    public bool NoShutdown { get; private set; }

    /// <summary>-gdb DEV or -s: where a gdb remote stub would listen (null: no stub).</summary>
    public string? GdbEndpoint { get; private set; }

    /// <summary>-S: do not start the CPU until a debugger says so.</summary>
    public bool WaitForDebugger { get; private set; }

    /// <summary>-drive SPEC, each as written (file=...,format=...,if=...).</summary>
    public IReadOnlyList<string> Drives => drives;

    /// <summary>
    /// Rewrites <paramref name="args"/>; on a QEMU flag emu lacks (or a value it cannot honour) returns null
    /// with one line in <paramref name="error"/> naming it.
    /// </summary>
    public static QemuArguments? Translate(IReadOnlyList<string> args, out string error)
    {
        var q = new QemuArguments();
        bool serialGiven = false;
        bool nographic = false;
        bool displayGiven = false;
        error = string.Empty;
        for (int i = 0; i < args.Count; i++)
        {
            string token = args[i];
            string? flag = QemuFlagName(token);
            if (flag is null)
            {
                q.emuArguments.Add(token);
                if (TakesEmuValue(token) && i + 1 < args.Count)
                {
                    q.emuArguments.Add(args[++i]); // "--timeout -Infinity": a value, however it is spelt
                }

                continue;
            }

            if (!Flags.TryGetValue(flag, out bool hasValue))
            {
                error = $"{token}: a qemu-system-x86_64 flag emu does not support (see emu --help)";
                return null;
            }

            string value = string.Empty;
            if (hasValue)
            {
                if (i + 1 >= args.Count)
                {
                    error = $"-{flag} needs a value";
                    return null;
                }

                value = args[++i];
            }

            string? problem = q.Apply(flag, value, ref serialGiven, ref nographic, ref displayGiven);
            if (problem is not null)
            {
                error = problem;
                return null;
            }
        }

        if (nographic)
        {
            if (!displayGiven)
            {
                q.emuArguments.AddRange(["--display", "none"]);
            }

            if (!serialGiven)
            {
                q.emuArguments.AddRange(["--serial", "mon:stdio"]);
            }
        }

        return q;
    }

    /// <summary>
    /// The flag name when <paramref name="token"/> is a QEMU flag (-kernel, or --kernel as QEMU also accepts),
    /// null for emu's own flags and for arguments.
    /// </summary>
    private static string? QemuFlagName(string token)
    {
        // "-5" or "-.5" is a (bad) number for an emu flag, never a QEMU flag.
        if (token.Length < 2 || token[0] != '-' || EmuShortFlags.Contains(token) || char.IsAsciiDigit(token[1]) || token[1] == '.')
        {
            return null;
        }

        if (token.StartsWith("--", StringComparison.Ordinal))
        {
            string name = token[2..];
            return Flags.ContainsKey(name) && !EmuLongFlags.Contains(name) ? name : null;
        }

        // A single dash and a word: QEMU's spelling (emu's own long flags have two dashes).
        return token[1..];
    }

    private static readonly HashSet<string> EmuShortFlags = ["-h", "-?"];

    /// <summary>emu's own flags that take no value; every other "--flag" (without "=") takes the next word.</summary>
    private static readonly HashSet<string> EmuSwitches = ["--stats", "--help", "--version"];

    private static bool TakesEmuValue(string token) =>
        token.StartsWith("--", StringComparison.Ordinal) && token.Length > 2 && !token.Contains('=', StringComparison.Ordinal) && !EmuSwitches.Contains(token);

    /// <summary>emu flags spelt like a QEMU flag with two dashes; they keep emu's meaning.</summary>
    private static readonly HashSet<string> EmuLongFlags = ["initrd", "append", "serial", "display"];

    /// <summary>Every QEMU flag emu knows: true when it takes a value.</summary>
    private static readonly Dictionary<string, bool> Flags = new(StringComparer.Ordinal)
    {
        ["kernel"] = true,
        ["initrd"] = true,
        ["append"] = true,
        ["m"] = true,
        ["serial"] = true,
        ["display"] = true,
        ["nographic"] = false,
        ["no-reboot"] = false,
        ["no-shutdown"] = false,
        ["device"] = true,
        ["smp"] = true,
        ["cpu"] = true,
        ["machine"] = true,
        ["M"] = true,
        ["accel"] = true,
        ["name"] = true,
        ["pidfile"] = true,
        ["monitor"] = true,
        ["vga"] = true,
        ["s"] = false,
        ["S"] = false,
        ["gdb"] = true,
        ["drive"] = true,
        ["enable-kvm"] = false,
    };

    private string? Apply(string flag, string value, ref bool serialGiven, ref bool nographic, ref bool displayGiven)
    {
        switch (flag)
        {
            case "kernel":
                emuArguments.Add(value);
                return null;
            case "initrd":
            case "append":
                emuArguments.AddRange(["--" + flag, value]);
                return null;
            case "m":
                return Memory(value);
            case "serial":
                if (serialGiven)
                {
                    return "a second -serial (COM2) is not supported";
                }

                serialGiven = true;
                return Serial(value);
            case "display":
                displayGiven = true;
                return Display(value);
            case "nographic":
                nographic = true;
                return null;
            case "no-reboot":
                NoReboot = true;
                return null;
            case "no-shutdown":
                NoShutdown = true;
                return null;
            case "device":
                return Device(value);
            case "smp":
                return Smp(value);
            case "cpu":
                return value.Split(',')[0] is "max" or "host" or "qemu64" or "base" ? null
                    : $"-cpu {value} is not supported (emu's CPU is one model: use max, host or qemu64)";
            case "machine":
            case "M":
                return Machine(flag, value);
            case "accel":
                return value.Split(',')[0] == "tcg" ? null : $"-accel {value} is not supported (emu is its own CPU emulator: use tcg)";
            case "name":
                Name = QemuOptionList.Parse(value, "guest")["guest"];
                return null;
            case "pidfile":
                PidFile = value;
                return null;
            case "monitor":
                return value == "none" ? null : $"-monitor {value} is not supported (emu has no monitor; use -monitor none)";
            case "vga":
                return value == "std" ? null : $"-vga {value} is not supported (emu's display is the Bochs VBE adapter: -vga std)";
            case "s":
                GdbEndpoint = DefaultGdbEndpoint;
                return null;
            case "S":
                WaitForDebugger = true;
                return null;
            case "gdb":
                GdbEndpoint = value;
                return null;
            case "drive":
                drives.Add(value);
                return null;
            case "enable-kvm":
                return "-enable-kvm is not supported: emu is its own CPU emulator (leave it out, or -accel tcg)";
            default:
                return $"-{flag} is not supported";
        }
    }

    private string? Memory(string value)
    {
        QemuOptionList options = QemuOptionList.Parse(value, "size");
        if (options.Keys.Any(k => k != "size"))
        {
            return $"-m {value}: only a size is supported (no slots or maxmem)";
        }

        // QEMU reads a plain number as MiB.
        string size = options["size"] ?? string.Empty;
        emuArguments.AddRange(["--mem", size.Length > 0 && char.IsAsciiDigit(size[^1]) ? size + "M" : size]);
        return null;
    }

    private string? Serial(string value)
    {
        string? emu = value switch
        {
            "stdio" or "mon:stdio" or "none" => value,
            "null" => "none",
            _ when value.StartsWith("file:", StringComparison.Ordinal) && value.Length > 5 => value,
            _ => null,
        };
        if (emu is null)
        {
            return $"-serial {value} is not supported (use stdio, mon:stdio, none, null or file:PATH)";
        }

        emuArguments.AddRange(["--serial", emu]);
        return null;
    }

    private string? Display(string value)
    {
        string kind = value.Split(',')[0];
        string? emu = kind switch
        {
            "none" => "none",
            "gtk" or "sdl" or "default" => "window",
            _ => null,
        };
        if (emu is null)
        {
            return $"-display {value} is not supported (use none, gtk or sdl: emu's own window)";
        }

        emuArguments.AddRange(["--display", emu]);
        return null;
    }

    private string? Device(string value)
    {
        QemuOptionList options = QemuOptionList.Parse(value, "driver");
        if (options["driver"] is "pc-testdev" or "pci-testdev")
        {
            if (options.Keys.FirstOrDefault(k => k != "driver") is { } key)
            {
                return $"-device {options["driver"]}: {key}={options[key]} is not supported (the device takes no options)";
            }

            PcTestDevice |= options["driver"] == "pc-testdev";
            PciTestDevice |= options["driver"] == "pci-testdev";
            return null;
        }

        if (options["driver"] != "isa-debug-exit")
        {
            return $"-device {options["driver"]} is not supported (emu has isa-debug-exit, pc-testdev and pci-testdev)";
        }

        // QEMU's isa-debug-exit decodes 2 ports at 0x501 unless told otherwise.
        ulong port = 0x501, size = 2;
        foreach (string key in options.Keys.Where(k => k != "driver"))
        {
            bool ok = key switch
            {
                "iobase" => QemuOptionList.TryParseNumber(options[key]!, out port) && port <= 0xFFFF,
                "iosize" => QemuOptionList.TryParseNumber(options[key]!, out size) && size is 1 or 2 or 4,
                _ => false,
            };
            if (!ok)
            {
                return $"-device isa-debug-exit: {key}={options[key]} is not supported (iobase=PORT, iosize=1, 2 or 4)";
            }
        }

        if (port + size > 0x10000)
        {
            return $"-device isa-debug-exit: iobase 0x{port:x} + iosize {size} is past the last port";
        }

        DebugExitPort = (ushort)port;
        DebugExitSize = (int)size;
        return null;
    }

    private static string? Smp(string value)
    {
        QemuOptionList options = QemuOptionList.Parse(value, "cpus");
        foreach (string key in options.Keys)
        {
            if (key is "cpus" or "maxcpus" or "sockets" or "cores" or "threads" or "dies" && options[key] == "1")
            {
                continue;
            }

            return $"-smp {value} is not supported (emu has one CPU: -smp 1)";
        }

        return null;
    }

    private static string? Machine(string flag, string value)
    {
        QemuOptionList options = QemuOptionList.Parse(value, "type");
        foreach (string key in options.Keys)
        {
            bool ok = key switch
            {
                "type" => options[key] is "pc" or "q35",
                "accel" => options[key] == "tcg",
                _ => false,
            };
            if (!ok)
            {
                return $"-{flag} {value} is not supported (use pc or q35, accel=tcg)";
            }
        }

        return null;
    }
}
