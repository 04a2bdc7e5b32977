using System.Runtime.CompilerServices;
using Mmu.Paging;
using Mmu.Tlb;

namespace Mmu;

/// <summary>The CPU's view of memory: the slow path (TLB misses, page crossings, MMIO, code pages, watchpoints).</summary>
public sealed unsafe partial class LinearMemory
{
    [MethodImpl(MethodImplOptions.NoInlining)]
    private ulong AccessSlow(ulong linear, int size, AccessKind kind, PrivilegeContext ctx)
    {
        if (Watchpoints.Armed)
        {
            Watchpoints.Observe(linear, size, write: false);
        }

        if (((linear & 0xFFF) + (ulong)size) > 4096)
        {
            return ReadCrossing(linear, size, kind, ctx);
        }

        TlbEntry* e = Resolve(linear, kind, ctx);
        if ((e->Flags & SoftTlb.RamFlag) != 0)
        {
            byte* p = (byte*)(e->HostAddend + (nint)linear);
            switch (size)
            {
                case 1: return *p;
                case 2: return Unsafe.ReadUnaligned<ushort>(p);
                case 4: return Unsafe.ReadUnaligned<uint>(p);
                case 8: return Unsafe.ReadUnaligned<ulong>(p);
            }

            ulong value = 0;
            for (int i = 0; i < size; i++)
            {
                value |= (ulong)p[i] << (8 * i);
            }

            return value;
        }

        return Bus.Read(e->PhysicalPage | (linear & 0xFFF), size);
    }

    private ulong ReadCrossing(ulong linear, int size, AccessKind kind, PrivilegeContext ctx)
    {
        // Both pages are translated before anything is read; the first page faults first.
        ulong second = SecondPage(linear);
        TlbEntry* a = Resolve(linear, kind, ctx);
        TlbEntry* b = Resolve(second, kind, ctx);
        int inFirst = 4096 - (int)(linear & 0xFFF);
        ulong value = 0;
        for (int i = 0; i < size; i++)
        {
            ulong b8 = i < inFirst ? ByteAt(a, linear + (ulong)i) : ByteAt(b, second + (ulong)(i - inFirst));
            value |= b8 << (8 * i);
        }

        return value;
    }

    private ulong ByteAt(TlbEntry* e, ulong linear) =>
        (e->Flags & SoftTlb.RamFlag) != 0
            ? *(byte*)(e->HostAddend + (nint)linear)
            : Bus.Read(e->PhysicalPage | (linear & 0xFFF), 1);

    [MethodImpl(MethodImplOptions.NoInlining)]
    private void WriteSlow(ulong linear, int size, ulong value, PrivilegeContext ctx)
    {
        if (Watchpoints.Armed)
        {
            Watchpoints.Observe(linear, size, write: true);
        }

        if (((linear & 0xFFF) + (ulong)size) > 4096)
        {
            WriteCrossing(linear, size, value, ctx);
            return;
        }

        TlbEntry* e = Resolve(linear, AccessKind.Write, ctx);
        if ((e->Flags & SoftTlb.RamFlag) != 0)
        {
            byte* p = (byte*)(e->HostAddend + (nint)linear);
            switch (size)
            {
                case 1: *p = (byte)value; break;
                case 2: Unsafe.WriteUnaligned(p, (ushort)value); break;
                case 4: Unsafe.WriteUnaligned(p, (uint)value); break;
                case 8: Unsafe.WriteUnaligned(p, value); break;
                default:
                    for (int i = 0; i < size; i++)
                    {
                        p[i] = (byte)(value >> (8 * i));
                    }

                    break;
            }

            // The write slow bit on a RAM page means it holds code (or is watched).
            if ((e->WriteTag & SoftTlb.SlowPath) != 0)
            {
                NotifyIfCode(e->PhysicalPage | (linear & 0xFFF), size);
            }

            return;
        }

        Bus.Write(e->PhysicalPage | (linear & 0xFFF), size, value);
        NotifyIfCode(e->PhysicalPage | (linear & 0xFFF), size);
    }

    private void WriteCrossing(ulong linear, int size, ulong value, PrivilegeContext ctx)
    {
        // Both pages are checked before a byte is written: a fault on the second page writes nothing.
        ulong second = SecondPage(linear);
        TlbEntry* a = Resolve(linear, AccessKind.Write, ctx);
        TlbEntry* b = Resolve(second, AccessKind.Write, ctx);
        int inFirst = 4096 - (int)(linear & 0xFFF);
        for (int i = 0; i < size; i++)
        {
            bool first = i < inFirst;
            TlbEntry* e = first ? a : b;
            ulong at = first ? linear + (ulong)i : second + (ulong)(i - inFirst);
            byte v = (byte)(value >> (8 * i));
            if ((e->Flags & SoftTlb.RamFlag) != 0)
            {
                *(byte*)(e->HostAddend + (nint)at) = v;
            }
            else
            {
                Bus.Write(e->PhysicalPage | (at & 0xFFF), 1, v);
            }
        }

        if ((a->WriteTag & SoftTlb.SlowPath) != 0)
        {
            NotifyIfCode(a->PhysicalPage | (linear & 0xFFF), inFirst);
        }

        if ((b->WriteTag & SoftTlb.SlowPath) != 0)
        {
            NotifyIfCode(b->PhysicalPage, size - inFirst);
        }
    }
}
