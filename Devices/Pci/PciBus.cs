using Mmu.Io;

namespace Devices.Pci;

/// <summary>
/// PCI bus 0 behind configuration mechanism #1: CONFIG_ADDRESS at 0xCF8 (bit 31 enable, bus, device,
/// function, register) and CONFIG_DATA at 0xCFC-0xCFF with byte, word and dword access. Absent functions
/// read as all-ones. A byte write to <see cref="ResetControlPort"/> (inside CONFIG_ADDRESS, which is
/// only ever accessed as a dword) is the chipset's reset control register, as on PIIX and ICH.
/// </summary>
public sealed class PciBus : IPortDevice
{
    public const ushort AddressPort = 0xCF8;
    public const ushort DataPort = 0xCFC;

    /// <summary>The reset control register: a byte write with <see cref="ResetCpuBit"/> set resets the machine.</summary>
    public const ushort ResetControlPort = 0xCF9;

    /// <summary>The value an OS writes for a hard reset (the FADT's RESET_VALUE): system reset and CPU reset.</summary>
    public const byte ResetControlValue = 0x06;

    private const uint ResetCpuBit = 1 << 2;

    private readonly Dictionary<int, PciFunction> functions = [];
    private uint address;

    /// <summary>Places <paramref name="function"/> at bus 0, <paramref name="device"/>.<paramref name="fn"/>.</summary>
    public void Attach(int device, int fn, PciFunction function) => functions[(device << 3) | fn] = function;

    public IEnumerable<PciFunction> Functions => functions.Values;

    /// <summary>Raised when the guest writes the reset control register with the CPU-reset bit.</summary>
    public event Action? ResetRequested;

    public void Register(PortSpace ports)
    {
        ports.Register(AddressPort, 4, this);
        ports.Register(DataPort, 4, this);
    }

    public uint In(ushort port, int size)
    {
        if (port is >= AddressPort and < AddressPort + 4)
        {
            return port == AddressPort && size == 4 ? address : Mask(size);
        }

        PciFunction? f = Selected(out int reg);
        if (f is null)
        {
            return Mask(size);
        }

        return f.ReadConfig(reg + (port - DataPort), size);
    }

    public void Out(ushort port, int size, uint value)
    {
        if (port is >= AddressPort and < AddressPort + 4)
        {
            if (port == AddressPort && size == 4)
            {
                address = value & 0x80FF_FFFC;
            }
            else if (port == ResetControlPort && size == 1 && (value & ResetCpuBit) != 0)
            {
                ResetRequested?.Invoke();
            }

            return;
        }

        Selected(out int reg)?.WriteConfig(reg + (port - DataPort), size, value);
    }

    private PciFunction? Selected(out int register)
    {
        register = (int)(address & 0xFC);
        if ((address & 0x8000_0000) == 0 || ((address >> 16) & 0xFF) != 0)
        {
            return null;
        }

        int devfn = (int)((address >> 8) & 0xFF);
        return functions.GetValueOrDefault(devfn);
    }

    /// <summary>
    /// Finds the function whose enabled BAR of the given space (memory or I/O) decodes <paramref name="address"/>,
    /// as the bus windows route an access.
    /// </summary>
    public bool TryDecode(ulong address, bool io, out IPciBarDevice device, out int bar, out ulong offset)
    {
        foreach (PciFunction f in functions.Values)
        {
            if (f is IPciBarDevice d && (io ? f.IoEnabled : f.MemoryEnabled))
            {
                for (bar = 0; bar < 6; bar++)
                {
                    uint size = f.BarSize(bar);
                    ulong baseAddress = f.BarAddress(bar);
                    if (size != 0 && f.BarIsIo(bar) == io && baseAddress != 0 && address - baseAddress < size)
                    {
                        device = d;
                        offset = address - baseAddress;
                        return true;
                    }
                }
            }
        }

        device = null!;
        bar = -1;
        offset = 0;
        return false;
    }

    /// <summary>All-ones of an access of <paramref name="size"/> bytes: what nothing on the bus answers.</summary>
    public static ulong AllOnes(int size) => size == 8 ? ulong.MaxValue : (1UL << (size * 8)) - 1;

    private static uint Mask(int size) => size == 4 ? 0xFFFF_FFFFu : size == 2 ? 0xFFFFu : 0xFFu;
}
