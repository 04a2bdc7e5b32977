using System.Buffers.Binary;
using Devices.Interrupts;
using Mmu.Physical;

namespace Devices.Pci;

/// <summary>
/// A function's MSI-X table and pending-bit array (PCI 3.0 section 6.8.2): per vector a 16-byte entry (message
/// address, upper address, data, vector control whose bit 0 masks it) and a pending bit, set when the vector
/// fires while masked and sent when it is unmasked. A message into 0xFEExxxxx goes to the local APIC; one
/// elsewhere is an ordinary DMA write of the data, as on a real bus.
/// </summary>
public sealed class MsixTable
{
    private const int EntrySize = 16;
    private const uint VectorMasked = 1;

    private readonly uint[] entries;
    private readonly ulong[] pending;
    private readonly PhysicalBus bus;
    private readonly IMessageSignaledInterrupts? sink;

    /// <param name="vectors">Table entries (at most 2048).</param>
    /// <param name="pbaOffset">Where, from the table's start, the pending-bit array is (QEMU: 0x800 in the same BAR).</param>
    /// <param name="bus">Where a message outside the APIC window is written.</param>
    /// <param name="sink">The local APIC.</param>
    public MsixTable(int vectors, uint pbaOffset, PhysicalBus bus, IMessageSignaledInterrupts? sink)
    {
        Vectors = vectors;
        PbaOffset = pbaOffset;
        entries = new uint[vectors * 4];
        pending = new ulong[(vectors + 63) / 64];
        this.bus = bus;
        this.sink = sink;
        Reset();
    }

    public int Vectors { get; }

    public uint PbaOffset { get; }

    /// <summary>Power-up: every entry masked, its message zero, nothing pending (PCI 3.0 6.8.2.9).</summary>
    public void Reset()
    {
        Array.Clear(entries);
        Array.Clear(pending);
        for (int v = 0; v < Vectors; v++)
        {
            entries[(v * 4) + 3] = VectorMasked;
        }
    }

    /// <summary>Reads the table or the pending bits (DWORD or QWORD accesses, as the specification allows).</summary>
    public ulong Read(ulong offset, int size)
    {
        if (size < 4)
        {
            return (ReadDword(offset & ~3UL) >> (8 * (int)(offset & 3))) & ((1u << (8 * size)) - 1);
        }

        ulong value = 0;
        for (int i = 0; i < size; i += 4)
        {
            value |= (ulong)ReadDword(offset + (ulong)i) << (8 * i);
        }

        return value;
    }

    /// <summary>Writes table entries; the pending bits are read-only. <paramref name="functionMasked"/>: the capability's mask bit.</summary>
    public void Write(ulong offset, int size, ulong value, bool enabled, bool functionMasked)
    {
        for (int i = 0; i < Math.Max(size, 4); i += 4)
        {
            ulong at = offset + (ulong)i;
            if (at >= (ulong)(Vectors * EntrySize) || at % 4 != 0)
            {
                continue;
            }

            int index = (int)(at / 4);
            entries[index] = (uint)(value >> (8 * i));
        }

        SendPending(enabled, functionMasked);
    }

    /// <summary>
    /// Signals <paramref name="vector"/>: sends its message, or sets its pending bit when it or the function is
    /// masked. False when the vector is not in the table (nothing is sent).
    /// </summary>
    public bool Signal(int vector, bool functionMasked)
    {
        if ((uint)vector >= (uint)Vectors)
        {
            return false;
        }

        if (functionMasked || (entries[(vector * 4) + 3] & VectorMasked) != 0)
        {
            pending[vector / 64] |= 1UL << (vector % 64);
            return true;
        }

        Send(vector);
        return true;
    }

    /// <summary>Sends the messages that became deliverable (a vector or the function unmasked; PCI 3.0 6.8.3.4).</summary>
    public void SendPending(bool enabled, bool functionMasked)
    {
        if (!enabled || functionMasked)
        {
            return;
        }

        for (int v = 0; v < Vectors; v++)
        {
            ulong bit = 1UL << (v % 64);
            if ((pending[v / 64] & bit) != 0 && (entries[(v * 4) + 3] & VectorMasked) == 0)
            {
                pending[v / 64] &= ~bit;
                Send(v);
            }
        }
    }

    private void Send(int vector)
    {
        ulong address = entries[vector * 4] | ((ulong)entries[(vector * 4) + 1] << 32);
        uint data = entries[(vector * 4) + 2];
        if ((address & 0xFFFF_FFFF_FFF0_0000) == IMessageSignaledInterrupts.WindowBase)
        {
            sink?.DeliverMessage(address, data);
            return;
        }

        Span<byte> bytes = stackalloc byte[4];
        BinaryPrimitives.WriteUInt32LittleEndian(bytes, data);
        bus.WriteDma(address, bytes);
    }

    private uint ReadDword(ulong offset)
    {
        if (offset < (ulong)(Vectors * EntrySize))
        {
            return entries[(int)(offset / 4)];
        }

        if (offset >= PbaOffset && offset < PbaOffset + (ulong)(pending.Length * 8))
        {
            ulong q = pending[(int)((offset - PbaOffset) / 8)];
            return (uint)(q >> (int)(8 * ((offset - PbaOffset) % 8)));
        }

        return 0;
    }
}
