using System.Buffers.Binary;

namespace Devices.Pci;

/// <summary>
/// One PCI function's 256-byte type-0 configuration space: identity, command/status and up to six
/// memory or I/O BARs that size themselves the standard way (write all-ones, read back the size mask).
/// Subclasses add their registers and react to BAR moves.
/// </summary>
public abstract class PciFunction
{
    private readonly byte[] config = new byte[256];
    private readonly uint[] barSizes = new uint[6];
    private readonly uint[] barFlags = new uint[6];

    protected PciFunction(ushort vendor, ushort device, uint classCode, byte revision, byte headerType = 0)
    {
        Write16(0x00, vendor);
        Write16(0x02, device);
        config[0x08] = revision;
        config[0x09] = (byte)classCode;
        config[0x0A] = (byte)(classCode >> 8);
        config[0x0B] = (byte)(classCode >> 16);
        config[0x0E] = headerType;
    }

    public ushort VendorId => BinaryPrimitives.ReadUInt16LittleEndian(config.AsSpan(0));

    public ushort DeviceId => BinaryPrimitives.ReadUInt16LittleEndian(config.AsSpan(2));

    /// <summary>Command register bit 1: memory BARs decode.</summary>
    public bool MemoryEnabled => (config[0x04] & 2) != 0;

    /// <summary>The address BAR <paramref name="index"/> decodes at (flags stripped).</summary>
    public uint BarAddress(int index)
    {
        uint flagMask = (barFlags[index] & 1) != 0 ? 3u : 0xFu;
        return Read32(0x10 + (4 * index)) & ~flagMask;
    }

    /// <summary>The size of BAR <paramref name="index"/> (0 when absent).</summary>
    public uint BarSize(int index) => barSizes[index];

    /// <summary>Reads <paramref name="size"/> bytes of configuration space at <paramref name="offset"/>.</summary>
    public uint ReadConfig(int offset, int size)
    {
        uint v = 0;
        for (int i = 0; i < size && offset + i < 256; i++)
        {
            v |= (uint)config[offset + i] << (8 * i);
        }

        return v;
    }

    /// <summary>Writes configuration space: only the command register, interrupt line, BARs and what subclasses allow change.</summary>
    public void WriteConfig(int offset, int size, uint value)
    {
        for (int i = 0; i < size && offset + i < 256; i++)
        {
            WriteConfigByte(offset + i, (byte)(value >> (8 * i)));
        }

        if (offset < 0x28 && offset + size > 0x10)
        {
            for (int bar = 0; bar < 6; bar++)
            {
                FixBar(bar);
            }
        }
    }

    /// <summary>Defines BAR <paramref name="index"/>: a power-of-two <paramref name="size"/>, and its type bits (0 memory, 8 prefetchable memory, 1 I/O).</summary>
    protected void DefineBar(int index, uint size, uint flags, uint initialAddress)
    {
        barSizes[index] = size;
        barFlags[index] = flags;
        Write32(0x10 + (4 * index), (initialAddress & ~(size - 1)) | flags);
    }

    /// <summary>Sets the command register (firmware enabling decoding, as SeaBIOS does).</summary>
    public void SetCommand(ushort command) => Write16(0x04, command);

    protected void Write16(int offset, ushort value) => BinaryPrimitives.WriteUInt16LittleEndian(config.AsSpan(offset), value);

    protected void Write32(int offset, uint value) => BinaryPrimitives.WriteUInt32LittleEndian(config.AsSpan(offset), value);

    protected uint Read32(int offset) => BinaryPrimitives.ReadUInt32LittleEndian(config.AsSpan(offset));

    /// <summary>Which configuration bytes the guest may write (beyond BARs, command and interrupt line).</summary>
    protected virtual bool IsWritable(int offset) => false;

    private void WriteConfigByte(int offset, byte value)
    {
        switch (offset)
        {
            case 0x04:
                config[offset] = (byte)(value & 0x07); // I/O, memory, bus master
                return;
            case 0x05:
                config[offset] = (byte)(value & 0x05); // SERR, interrupt disable
                return;
            case 0x06:
            case 0x07:
                config[offset] &= (byte)~value; // status bits are write-one-to-clear
                return;
            case 0x0C:
            case 0x0D:
            case 0x3C:
                config[offset] = value; // cache line size, latency timer, interrupt line
                return;
        }

        if (offset is >= 0x10 and < 0x28)
        {
            config[offset] = value;
            return;
        }

        if (IsWritable(offset))
        {
            config[offset] = value;
        }
    }

    private void FixBar(int bar)
    {
        uint v = Read32(0x10 + (4 * bar));
        uint size = barSizes[bar];
        uint fixedValue = size == 0 ? 0 : (v & ~(size - 1)) | barFlags[bar];
        if (fixedValue != v)
        {
            Write32(0x10 + (4 * bar), fixedValue);
        }
    }
}
