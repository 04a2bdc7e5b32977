using Mmu.Interrupts;
using Mmu.Io;

namespace Devices.TestDevices;

/// <summary>
/// QEMU's ISA <c>pc-testdev</c>, which conformance kernels use to check the emulator itself: a 32-bit scratch
/// register at ports 0xE0-0xE3 (any width, each port a byte lane) seen again at 0xE8-0xEB, a page-flush port at
/// 0xE4 (a 32-bit write of a physical address; with no host mappings to drop here it does nothing), 24 IRQ-line
/// ports from 0x2000 (a byte write of V drives ISA IRQ n to V != 0; QEMU's PC has 16 ISA IRQs, so the lines
/// past 15 are ignored), and 64 KiB of test memory at physical 0xFF000000 that reads back what was written. Like QEMU's, it keeps
/// its contents across a machine reset.
/// </summary>
public sealed class PcTestDevice : IPortDevice, IMmioDevice
{
    public const ushort ScratchPort = 0xE0;
    public const ushort FlushPort = 0xE4;
    public const ushort ByteScratchPort = 0xE8;
    public const ushort IrqLinePort = 0x2000;
    public const int IrqLines = 24;
    public const ulong MemoryBase = 0xFF00_0000;
    public const int MemorySize = 0x1_0000;

    private const int IsaIrqs = 16;

    private readonly Func<int, IInterruptLine> isaIrq;
    private readonly byte[] memory = new byte[MemorySize];
    private uint scratch;

    /// <param name="isaIrq">The machine's ISA interrupt lines (PIC and IOAPIC), by IRQ number.</param>
    public PcTestDevice(Func<int, IInterruptLine> isaIrq) => this.isaIrq = isaIrq;

    public void Register(PortSpace ports, Mmu.Physical.PhysicalBus bus)
    {
        ports.Register(ScratchPort, 4, this);
        ports.Register(FlushPort, 4, this);
        ports.Register(ByteScratchPort, 4, this);
        ports.Register(IrqLinePort, IrqLines, this);
        bus.RegisterMmio(MemoryBase, MemorySize, this);
    }

    public uint In(ushort port, int size) => port switch
    {
        >= ScratchPort and < ScratchPort + 4 => ReadScratch(port - ScratchPort, size),
        >= ByteScratchPort and < ByteScratchPort + 4 => ReadScratch(port - ByteScratchPort, size),
        _ => 0, // the flush and IRQ-line ports read as zero
    };

    public void Out(ushort port, int size, uint value)
    {
        switch (port)
        {
            case >= ScratchPort and < ScratchPort + 4:
                WriteScratch(port - ScratchPort, size, value);
                break;
            case >= ByteScratchPort and < ByteScratchPort + 4:
                WriteScratch(port - ByteScratchPort, size, value);
                break;
            case >= IrqLinePort and < IrqLinePort + IrqLines when size == 1 && port - IrqLinePort < IsaIrqs:
                isaIrq(port - IrqLinePort).Set((value & 0xFF) != 0);
                break;
            default:
                break; // the page-flush port, and accesses of a width the port does not take
        }
    }

    public ulong Read(ulong offset, int size)
    {
        ulong value = 0;
        for (int i = 0; i < size && offset + (ulong)i < MemorySize; i++)
        {
            value |= (ulong)memory[offset + (ulong)i] << (8 * i);
        }

        return value;
    }

    public void Write(ulong offset, int size, ulong value)
    {
        for (int i = 0; i < size && offset + (ulong)i < MemorySize; i++)
        {
            memory[offset + (ulong)i] = (byte)(value >> (8 * i));
        }
    }

    /// <summary>Bytes of the scratch register from lane <paramref name="lane"/>, as many as the access is wide (within the register).</summary>
    private uint ReadScratch(int lane, int size) => (uint)((scratch & LaneMask(lane, size)) >> (8 * lane));

    private void WriteScratch(int lane, int size, uint value)
    {
        ulong mask = LaneMask(lane, size);
        scratch = (uint)((scratch & ~mask) | (((ulong)value << (8 * lane)) & mask));
    }

    private static ulong LaneMask(int lane, int size) => ((1UL << (8 * size)) - 1) << (8 * lane) & 0xFFFF_FFFF;
}
