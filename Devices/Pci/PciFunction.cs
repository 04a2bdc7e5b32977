using System.Buffers.Binary;

namespace Devices.Pci;

/// <summary>
/// One PCI function's 256-byte type-0 configuration space: identity, command/status and up to six
/// memory or I/O BARs that size themselves the standard way (write all-ones, read back the size mask),
/// 64-bit memory BARs over two slots, and a capability list. Subclasses add their registers.
/// </summary>
public abstract class PciFunction
{
    private readonly byte[] config = new byte[256];
    private readonly uint[] barSizes = new uint[6];
    private readonly uint[] barFlags = new uint[6];
    private readonly bool[] barUpperHalf = new bool[6];
    private byte lastCapability;
    private byte msixCapability;

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

    /// <summary>Command register bit 0: I/O BARs decode.</summary>
    public bool IoEnabled => (config[0x04] & 1) != 0;

    /// <summary>Command register bit 10: INTx is disabled.</summary>
    public bool InterruptDisabled => (config[0x05] & 4) != 0;

    /// <summary>MSI-X message control bit 15: the function signals through its MSI-X table, not INTx (PCI 3.0 6.8.2.3).</summary>
    public bool MsixEnabled => msixCapability != 0 && (config[msixCapability + 3] & 0x80) != 0;

    /// <summary>MSI-X message control bit 14: every vector of the function is masked.</summary>
    public bool MsixFunctionMasked => msixCapability != 0 && (config[msixCapability + 3] & 0x40) != 0;

    /// <summary>Whether BAR <paramref name="index"/> is an I/O BAR.</summary>
    public bool BarIsIo(int index) => (barFlags[index] & 1) != 0;

    /// <summary>The address BAR <paramref name="index"/> decodes at (flags stripped; both halves of a 64-bit BAR).</summary>
    public ulong BarAddress(int index)
    {
        uint flagMask = BarIsIo(index) ? 3u : 0xFu;
        ulong low = Read32(0x10 + (4 * index)) & ~flagMask;
        return (barFlags[index] & 6) == 4 && index < 5 ? low | ((ulong)Read32(0x14 + (4 * index)) << 32) : low;
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

    /// <summary>
    /// Defines BAR <paramref name="index"/>: a power-of-two <paramref name="size"/>, and its type bits (0 memory,
    /// 8 prefetchable memory, 4 a 64-bit memory BAR whose upper half is the next slot, 1 I/O).
    /// </summary>
    protected void DefineBar(int index, uint size, uint flags, uint initialAddress)
    {
        barSizes[index] = size;
        barFlags[index] = flags;
        Write32(0x10 + (4 * index), (initialAddress & ~(size - 1)) | flags);
        if ((flags & 7) == 4)
        {
            barUpperHalf[index + 1] = true; // all 32 bits writable: sizing reads back all-ones (under 4 GiB)
        }
    }

    /// <summary>Sets the interrupt pin (1 = INTA#) and the line firmware routed it to (register 0x3C).</summary>
    protected void SetInterrupt(byte pin, byte line)
    {
        config[0x3D] = pin;
        config[0x3C] = line;
    }

    /// <summary>Sets the subsystem vendor and device IDs (registers 0x2C, 0x2E).</summary>
    protected void SetSubsystem(ushort vendor, ushort device)
    {
        Write16(0x2C, vendor);
        Write16(0x2E, device);
    }

    /// <summary>
    /// Appends a capability with ID <paramref name="id"/> and the bytes after its ID and next pointer at
    /// <paramref name="offset"/> (dword aligned, at or above 0x40), linking it at the end of the list (PCI 3.0 6.7).
    /// </summary>
    protected void AddCapability(byte offset, byte id, ReadOnlySpan<byte> body)
    {
        config[offset] = id;
        config[offset + 1] = 0;
        body.CopyTo(config.AsSpan(offset + 2));
        if (lastCapability == 0)
        {
            config[0x34] = offset;
            config[0x06] |= 0x10; // status: capability list present
        }
        else
        {
            config[lastCapability + 1] = offset;
        }

        lastCapability = offset;
    }

    /// <summary>
    /// Adds the MSI-X capability (ID 11h, PCI 3.0 6.8.2): <paramref name="vectors"/> table entries at
    /// <paramref name="tableOffset"/> and the pending-bit array at <paramref name="pbaOffset"/>, both in BAR
    /// <paramref name="bar"/>. Only the enable and function-mask bits of its message control are writable.
    /// </summary>
    protected void AddMsixCapability(byte offset, int vectors, int bar, uint tableOffset, uint pbaOffset)
    {
        Span<byte> body = stackalloc byte[10];
        BinaryPrimitives.WriteUInt16LittleEndian(body, (ushort)(vectors - 1)); // table size, N - 1
        BinaryPrimitives.WriteUInt32LittleEndian(body[2..], tableOffset | (uint)bar);
        BinaryPrimitives.WriteUInt32LittleEndian(body[6..], pbaOffset | (uint)bar);
        AddCapability(offset, 0x11, body);
        msixCapability = offset;
    }

    /// <summary>Called when the guest writes the MSI-X message control's enable or mask bits.</summary>
    protected virtual void MsixControlChanged()
    {
    }

    /// <summary>Sets the command register (firmware enabling decoding, as SeaBIOS does).</summary>
    public void SetCommand(ushort command) => Write16(0x04, command);

    protected void Write16(int offset, ushort value) => BinaryPrimitives.WriteUInt16LittleEndian(config.AsSpan(offset), value);

    protected void Write32(int offset, uint value) => BinaryPrimitives.WriteUInt32LittleEndian(config.AsSpan(offset), value);

    protected uint Read32(int offset) => BinaryPrimitives.ReadUInt32LittleEndian(config.AsSpan(offset));

    /// <summary>Called when the guest writes the command register's interrupt-disable byte.</summary>
    protected virtual void InterruptDisableChanged()
    {
    }

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
                InterruptDisableChanged();
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

        if (msixCapability != 0 && offset == msixCapability + 3)
        {
            config[offset] = (byte)((config[offset] & 0x3F) | (value & 0xC0));
            MsixControlChanged();
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
        if (barUpperHalf[bar])
        {
            return;
        }

        uint v = Read32(0x10 + (4 * bar));
        uint size = barSizes[bar];
        uint fixedValue = size == 0 ? 0 : (v & ~(size - 1)) | barFlags[bar];
        if (fixedValue != v)
        {
            Write32(0x10 + (4 * bar), fixedValue);
        }
    }
}
