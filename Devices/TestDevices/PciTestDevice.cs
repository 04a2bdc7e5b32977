using Devices.Pci;

namespace Devices.TestDevices;

/// <summary>
/// QEMU's <c>pci-testdev</c> (PCI 1B36:0005, class 00FFh, no interrupt pin), which conformance kernels use to count
/// the writes that reach a device. BAR0 is 4 KiB of memory and BAR1 256 I/O ports, each with three tests: a write of
/// test number N (0-2) to byte 0 of a BAR selects that BAR's test N (any other number deselects). A test is a
/// header readable from byte 0 of either BAR (<see cref="PciTestHeader"/>): its number (BAR0's tests are 0-2,
/// BAR1's 3-5), width 1, the offset it watches (2048 + N in BAR0, 128 + N in BAR1), the byte it matches, a count
/// and its name. Test 0 ("no-eventfd") counts each byte written at its offset that equals its byte (FAh). Tests 1
/// ("wildcard-eventfd", any byte) and 2 ("datamatch-eventfd", FAh) stand for a host event notifier: their writes
/// of one byte are consumed before the device sees them, so those counts stay 0, as on QEMU. Wider accesses reach the
/// device and are taken a byte at a time, as QEMU's device takes them; a write not aligned to its width is dropped
/// whole, as QEMU's memory core drops it for this device.
/// </summary>
public sealed class PciTestDevice : PciFunction, IPciBarDevice
{
    public const ushort VendorIdValue = 0x1B36;
    public const ushort DeviceIdValue = 0x0005;
    public const uint MemoryBarSize = 4096;
    public const uint IoBarSize = 256;
    public const int TestsPerBar = 3;

    private const int MemoryBar = 0;
    private const int IoBar = 1;

    private readonly PciTestHeader[] tests = new PciTestHeader[2 * TestsPerBar];
    private int current = -1;

    /// <param name="memoryBase">Where BAR0 starts (as firmware would place it; 4 KiB aligned).</param>
    /// <param name="ioBase">Where BAR1 starts (256-port aligned).</param>
    public PciTestDevice(uint memoryBase, uint ioBase)
        : base(VendorIdValue, DeviceIdValue, 0x00_FF_00, revision: 0)
    {
        SetSubsystem(0x1AF4, 0x1100); // QEMU's default subsystem IDs for its own devices
        DefineBar(MemoryBar, MemoryBarSize, 0, memoryBase);
        DefineBar(IoBar, IoBarSize, 1, ioBase);
        for (int i = 0; i < tests.Length; i++)
        {
            bool io = i >= TestsPerBar;
            tests[i] = new PciTestHeader(i, (io ? IoBarSize / 2 : MemoryBarSize / 2) + (uint)i, (PciTestKind)(i % TestsPerBar), io);
        }
    }

    /// <summary>The selected test's number, or -1.</summary>
    public int CurrentTest => current;

    /// <summary>A reset deselects the test (the counts stay in the headers, as QEMU's do).</summary>
    public void Reset() => current = -1;

    public ulong ReadBar(int bar, ulong offset, int size)
    {
        ulong value = 0;
        for (int i = 0; i < size; i++)
        {
            value |= (ulong)ReadByte(offset + (ulong)i) << (8 * i);
        }

        return value;
    }

    public void WriteBar(int bar, ulong offset, int size, ulong value)
    {
        int type = bar == IoBar ? 1 : 0;
        if (offset % (ulong)size != 0)
        {
            return;
        }

        if (current >= 0 && tests[current].ConsumesWrite(offset, size, value))
        {
            return; // the event notifier took it
        }

        for (int i = 0; i < size; i++)
        {
            WriteByte(type, offset + (ulong)i, (byte)(value >> (8 * i)));
        }
    }

    private byte ReadByte(ulong offset) => current < 0 ? (byte)0 : tests[current].ReadByte(offset);

    private void WriteByte(int type, ulong offset, byte value)
    {
        if (offset == 0)
        {
            current = value < TestsPerBar ? (type * TestsPerBar) + value : -1;
            if (current >= 0)
            {
                tests[current].Count = 0;
            }

            return;
        }

        if (current >= 0)
        {
            tests[current].CountWrite(offset, value);
        }
    }
}
