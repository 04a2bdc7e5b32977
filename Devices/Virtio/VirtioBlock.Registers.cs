using System.Buffers.Binary;
using Devices.Pci;
using Devices.Storage;

namespace Devices.Virtio;

/// <summary>The registers: PCI vendor capabilities, the modern common and device configuration, the legacy I/O BAR and the MSI-X BAR.</summary>
public sealed partial class VirtioBlock
{
    private const uint RegionSize = 0x1000;

    public ulong ReadBar(int bar, ulong offset, int size)
    {
        Span<byte> region = stackalloc byte[64];
        region.Clear();
        if (bar == LegacyBar)
        {
            if (offset == 19)
            {
                return TakeIsr();
            }

            int configAt = LegacyConfigOffset + (MsixEnabled ? 4 : 0);
            if (offset < LegacyConfigOffset)
            {
                BinaryPrimitives.WriteUInt32LittleEndian(region, (uint)deviceFeatures);
                BinaryPrimitives.WriteUInt32LittleEndian(region[4..], (uint)driverFeatures);
                BinaryPrimitives.WriteUInt32LittleEndian(region[8..], (uint)(queue.DescriptorTable >> 12));
                BinaryPrimitives.WriteUInt16LittleEndian(region[12..], queue.MaxSize);
                BinaryPrimitives.WriteUInt16LittleEndian(region[14..], queueSelect);
                region[18] = status;
                return Slice(region, (int)offset, size);
            }

            if (offset < (ulong)configAt)
            {
                BinaryPrimitives.WriteUInt16LittleEndian(region, configVector);
                BinaryPrimitives.WriteUInt16LittleEndian(region[2..], queueSelect == 0 ? queueVector : NoVector);
                return Slice(region, (int)offset - LegacyConfigOffset, size);
            }

            DeviceConfig(region);
            return Slice(region, (int)offset - configAt, size);
        }

        if (bar == MsixBar)
        {
            return msix.Read(offset, size);
        }

        if (bar != ModernBar)
        {
            return PciBus.AllOnes(size);
        }

        switch ((int)offset & ~0xFFF)
        {
            case CommonOffset:
                CommonConfig(region);
                return Slice(region, (int)offset, size);
            case IsrOffset:
                return offset == IsrOffset ? TakeIsr() : 0UL;
            case DeviceConfigOffset:
                DeviceConfig(region);
                return Slice(region, (int)offset - DeviceConfigOffset, size);
            default:
                return 0;
        }
    }

    public void WriteBar(int bar, ulong offset, int size, ulong value)
    {
        if (bar == LegacyBar)
        {
            WriteLegacy((int)offset, (uint)value);
        }
        else if (bar == MsixBar)
        {
            msix.Write(offset, size, value, MsixEnabled, MsixFunctionMasked);
        }
        else if (bar == ModernBar)
        {
            switch ((int)offset & ~0xFFF)
            {
                case CommonOffset:
                    WriteCommon((int)offset, size, value);
                    break;
                case NotifyOffset:
                    Notify();
                    break;
            }
        }
    }

    private void AddVendorCapability(byte at, byte cfgType, int offset, uint length, uint? multiplier = null)
    {
        Span<byte> body = stackalloc byte[18];
        body.Clear();
        body[0] = (byte)(multiplier is null ? 16 : 20); // cap_len
        body[1] = cfgType;
        body[2] = ModernBar;
        BinaryPrimitives.WriteUInt32LittleEndian(body[6..], (uint)offset);
        BinaryPrimitives.WriteUInt32LittleEndian(body[10..], length);
        BinaryPrimitives.WriteUInt32LittleEndian(body[14..], multiplier ?? 0);
        AddCapability(at, 0x09, body[..(multiplier is null ? 14 : 18)]);
    }

    private static ulong Slice(ReadOnlySpan<byte> region, int offset, int size)
    {
        ulong v = 0;
        for (int i = 0; i < size && offset + i < region.Length; i++)
        {
            if (offset + i >= 0)
            {
                v |= (ulong)region[offset + i] << (8 * i);
            }
        }

        return v;
    }

    /// <summary>The common configuration structure (virtio 1.1 4.1.4.3).</summary>
    private void CommonConfig(Span<byte> r)
    {
        BinaryPrimitives.WriteUInt32LittleEndian(r, deviceFeatureSelect);
        BinaryPrimitives.WriteUInt32LittleEndian(r[4..], deviceFeatureSelect < 2 ? (uint)(deviceFeatures >> (32 * (int)deviceFeatureSelect)) : 0);
        BinaryPrimitives.WriteUInt32LittleEndian(r[8..], driverFeatureSelect);
        BinaryPrimitives.WriteUInt32LittleEndian(r[12..], driverFeatureSelect < 2 ? (uint)(driverFeatures >> (32 * (int)driverFeatureSelect)) : 0);
        BinaryPrimitives.WriteUInt16LittleEndian(r[16..], configVector);
        BinaryPrimitives.WriteUInt16LittleEndian(r[18..], 1);
        r[20] = status;
        r[21] = 0; // config_generation: the configuration never changes
        BinaryPrimitives.WriteUInt16LittleEndian(r[22..], queueSelect);
        bool selected = queueSelect == 0;
        BinaryPrimitives.WriteUInt16LittleEndian(r[24..], selected ? queue.Size : (ushort)0);
        BinaryPrimitives.WriteUInt16LittleEndian(r[26..], selected ? queueVector : NoVector);
        BinaryPrimitives.WriteUInt16LittleEndian(r[28..], selected && queue.Enabled ? (ushort)1 : (ushort)0);
        BinaryPrimitives.WriteUInt16LittleEndian(r[30..], 0); // queue_notify_off
        if (selected)
        {
            BinaryPrimitives.WriteUInt64LittleEndian(r[32..], queue.DescriptorTable);
            BinaryPrimitives.WriteUInt64LittleEndian(r[40..], queue.DriverRing);
            BinaryPrimitives.WriteUInt64LittleEndian(r[48..], queue.DeviceRing);
        }
    }

    /// <summary>
    /// struct virtio_blk_config (virtio 1.1 5.2.4): capacity, seg_max, blk_size, num_queues, and the discard and
    /// write-zeroes limits as QEMU fills them: up to INT_MAX / 512 sectors in one range, one range per request,
    /// discards aligned to the block size, and write-zeroes may deallocate.
    /// </summary>
    private void DeviceConfig(Span<byte> r)
    {
        BinaryPrimitives.WriteUInt64LittleEndian(r, (ulong)(image.Length / DiskImage.SectorSize));
        BinaryPrimitives.WriteUInt32LittleEndian(r[12..], QueueSize - 2u); // seg_max
        BinaryPrimitives.WriteUInt32LittleEndian(r[20..], DiskImage.SectorSize); // blk_size
        BinaryPrimitives.WriteUInt16LittleEndian(r[34..], 1); // num_queues
        BinaryPrimitives.WriteUInt32LittleEndian(r[36..], BlockRequestProcessor.MaxZeroSectors); // max_discard_sectors
        BinaryPrimitives.WriteUInt32LittleEndian(r[40..], BlockRequestProcessor.MaxZeroSegments); // max_discard_seg
        BinaryPrimitives.WriteUInt32LittleEndian(r[44..], DiskImage.SectorSize / DiskImage.SectorSize); // discard_sector_alignment
        BinaryPrimitives.WriteUInt32LittleEndian(r[48..], BlockRequestProcessor.MaxZeroSectors); // max_write_zeroes_sectors
        BinaryPrimitives.WriteUInt32LittleEndian(r[52..], BlockRequestProcessor.MaxZeroSegments); // max_write_zeroes_seg
        r[56] = 1; // write_zeroes_may_unmap
    }

    private void WriteCommon(int offset, int size, ulong value)
    {
        uint v = (uint)value;
        bool selected = queueSelect == 0;
        switch (offset)
        {
            case 0: deviceFeatureSelect = v; break;
            case 8: driverFeatureSelect = v; break;
            case 16: configVector = MappedVector(v); break;
            case 12:
                if (driverFeatureSelect < 2)
                {
                    int shift = 32 * (int)driverFeatureSelect;
                    driverFeatures = (driverFeatures & ~(0xFFFF_FFFFUL << shift)) | ((ulong)v << shift);
                }

                break;
            case 20: WriteStatus((byte)v); break;
            case 22: queueSelect = (ushort)v; break;
            case 24:
                if (selected && !queue.Enabled && v is > 0 and <= QueueSize && (v & (v - 1)) == 0)
                {
                    queue.Size = (ushort)v;
                }

                break;
            case 26:
                if (selected)
                {
                    queueVector = MappedVector(v);
                }

                break;
            case 28:
                if (selected && (v & 1) != 0)
                {
                    queue.Enabled = true;
                }

                break;
            case >= 32 and < 56 when selected:
                SetQueueAddress(offset, size, value);
                break;
        }
    }

    private void SetQueueAddress(int offset, int size, ulong value)
    {
        int field = (offset - 32) / 8;
        bool high = offset % 8 == 4;
        ulong old = field switch { 0 => queue.DescriptorTable, 1 => queue.DriverRing, _ => queue.DeviceRing };
        ulong updated = size == 8 ? value : high ? (old & 0xFFFF_FFFF) | (value << 32) : (old & ~0xFFFF_FFFFUL) | (uint)value;
        switch (field)
        {
            case 0: queue.DescriptorTable = updated; break;
            case 1: queue.DriverRing = updated; break;
            default: queue.DeviceRing = updated; break;
        }
    }

    private void WriteLegacy(int offset, uint value)
    {
        switch (offset)
        {
            case 4: driverFeatures = value; break; // a legacy driver sees and sets only the low 32 bits
            case 8:
                if (queueSelect == 0)
                {
                    queue.Size = QueueSize;
                    queue.SetLegacyAddress(value);
                }

                break;
            case 14: queueSelect = (ushort)value; break;
            case 16: Notify(); break;
            case 18: WriteStatus((byte)value); break;
            case 20 when MsixEnabled: configVector = MappedVector(value); break;
            case 22 when MsixEnabled && queueSelect == 0: queueVector = MappedVector(value); break;
        }
    }

    /// <summary>A vector the driver asks for: kept if the table has it, otherwise NO_VECTOR, which tells the driver the mapping failed (4.1.4.3).</summary>
    private static ushort MappedVector(uint v) => v < MsixVectors ? (ushort)v : NoVector;

    private void WriteStatus(byte value)
    {
        if (value == 0)
        {
            Reset();
            return;
        }

        if ((value & StatusFeaturesOk) != 0 && (driverFeatures & ~deviceFeatures) != 0)
        {
            value &= unchecked((byte)~StatusFeaturesOk); // features the device never offered: refuse (3.1.1)
        }

        status = (byte)(value | (status & StatusNeedsReset));
        queue.EventIndex = (driverFeatures & FeatureEventIndex) != 0;
    }
}
