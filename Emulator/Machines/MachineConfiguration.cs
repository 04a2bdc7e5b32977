using Cpu.Translation;
using Devices.Debug;
using Devices.Serial;
using Devices.Timing;
using Emulator.Boot;

namespace Emulator.Machines;

/// <summary>How to build a <see cref="Machine"/>.</summary>
public sealed record MachineConfiguration
{
    public const ulong DefaultMemorySize = 256UL * 1024 * 1024;

    /// <summary>Smallest RAM the machine accepts: low memory plus room for a kernel at 1 MiB.</summary>
    public const ulong MinimumMemorySize = 2UL * 1024 * 1024;

    /// <summary>Largest RAM the machine accepts.</summary>
    public const ulong MaximumMemorySize = 64UL << 30;

    /// <summary>Bytes of guest RAM (a whole number of pages).</summary>
    public ulong MemorySize { get; init; } = DefaultMemorySize;

    /// <summary>The multiboot kernel; null builds the machine with nothing loaded.</summary>
    public string? KernelPath { get; init; }

    /// <summary>Boot modules (QEMU's -initrd list).</summary>
    public IReadOnlyList<MultibootModule> Modules { get; init; } = [];

    /// <summary>The kernel command line after its path (QEMU's -append).</summary>
    public string CommandLine { get; init; } = string.Empty;

    public ClockMode ClockMode { get; init; } = ClockMode.Deterministic;

    /// <summary>Where COM1's output goes; null keeps it only in <see cref="Machine.SerialTranscript"/>.</summary>
    public ISerialSink? SerialOutput { get; init; }

    /// <summary>Bytes the guest receives on COM1 (from a file or a test).</summary>
    public byte[]? SerialInput { get; init; }

    /// <summary>Feed COM1 from the host's standard input.</summary>
    public bool SerialInputFromStdin { get; init; }

    /// <summary>Filters stdin before COM1 sees it (QEMU's Ctrl-A escapes); null passes every byte.</summary>
    public IHostInputFilter? StdinFilter { get; init; }

    /// <summary>Keep the whole COM1 transcript in memory (<see cref="Machine.SerialTranscript"/>).</summary>
    public bool KeepSerialTranscript { get; init; } = true;

    /// <summary>When guest code is compiled to IL (`emu run --jit`): hot blocks on a background thread by default.</summary>
    public JitMode Jit { get; init; } = JitMode.On;

    /// <summary>Raw disk images, each a virtio-blk PCI disk (QEMU's -drive if=virtio), at slots 3, 4, ... in order.</summary>
    public IReadOnlyList<DriveConfiguration> Drives { get; init; } = [];

    /// <summary>The first I/O port of the isa-debug-exit device (QEMU's -device isa-debug-exit,iobase=).</summary>
    public ushort DebugExitPort { get; init; } = DebugExit.DefaultPort;

    /// <summary>How many ports the isa-debug-exit device decodes (iosize=).</summary>
    public int DebugExitSize { get; init; } = 1;

    /// <summary>QEMU's ISA pc-testdev (-device pc-testdev): scratch ports 0xE0/0xE8, IRQ-line ports 0x2000, test memory at 0xFF000000.</summary>
    public bool PcTestDevice { get; init; }

    /// <summary>QEMU's pci-testdev (-device pci-testdev): PCI 1B36:0005 after the disks, counting writes to its BARs.</summary>
    public bool PciTestDevice { get; init; }

    /// <summary>
    /// A reset request or a triple fault ends the run (<see cref="StopCause.Reset"/>, <see cref="StopCause.TripleFault"/>)
    /// instead of resetting the machine: QEMU's -no-reboot.
    /// </summary>
    public bool NoReboot { get; init; }

    /// <summary>Write an instruction trace here (one line per instruction, with disassembly).</summary>
    public TextWriter? Trace { get; init; }
}
