using System.Runtime.CompilerServices;
using Mmu.Paging;
using Mmu.Physical;
using Mmu.Tlb;
using Mmu.Watch;
using static Mmu.Paging.ControlRegisterBits;

namespace Mmu;

/// <summary>
/// The CPU's view of memory: linear addresses translated through paging (when CR0.PG is set) and a
/// software TLB, then routed to RAM or a device. Every access either completes or throws
/// <see cref="PageFaultException"/> before changing anything (a write that crosses a page is checked
/// on both pages before a byte is written; CR2 is the first byte of the page that faulted).
/// <para>Contract for the CPU:</para>
/// <list type="bullet">
/// <item>Call <see cref="SetPagingControls"/> on writes to CR0, CR4 and EFER (with EFER.LMA as the CPU
/// sets it), <see cref="LoadCr3"/> on MOV to CR3 (raw operand, bit 63 included); in PAE mode check
/// <see cref="PdptesAreValid"/> first and raise #GP(0) when it is false.</item>
/// <item>Keep <see cref="UserMode"/> equal to (CPL == 3) and <see cref="AlignmentCheck"/> equal to RFLAGS.AC.</item>
/// <item>Implicit supervisor accesses (descriptor tables, TSS, the IDT) use <see cref="ReadSystem"/>/<see cref="WriteSystem"/>.</item>
/// <item>In 64-bit mode check <see cref="IsCanonical"/> before an access and raise #GP (or #SS for
/// stack accesses) yourself: the walker assumes canonical addresses. Outside long mode pass 32-bit
/// linear addresses (wrap-around at 4 GiB is the CPU's business).</item>
/// <item>Physical pages are named by page number (physical address &gt;&gt; 12) in
/// <see cref="MarkCodePage"/> and <see cref="UnmarkCodePage"/>; code bytes by physical address in
/// <see cref="MarkCodeBytes"/> and <see cref="CodeWritten"/>.</item>
/// </list>
/// </summary>
public sealed unsafe partial class LinearMemory
{
    private const ulong PageMask = ~0xFFFUL;

    private readonly SoftTlb tlb = new();
    private readonly PageWalker walker;
    private readonly MmuCounters counters;
    private readonly Dictionary<ulong, CodeBytes> codePages = [];
    private PrivilegeContext context = PrivilegeContext.Supervisor;
    private bool userMode;
    private bool alignmentCheck;

    public LinearMemory(PhysicalBus bus)
    {
        Bus = bus;
        walker = new PageWalker(bus);
        counters = new MmuCounters(bus);
        bus.DeviceWrote += NotifyDeviceWrite;
        Watchpoints.Changed += tlb.FlushAll;
    }

    /// <summary>Data watchpoints, checked on the slow path (pages holding one never take the fast path).</summary>
    public DataWatchpoints Watchpoints { get; } = new();

    public PhysicalBus Bus { get; }

    /// <summary>The page walker (for inspection and tests; accesses go through the TLB).</summary>
    public PageWalker Walker => walker;

    /// <summary>The software TLB (for inspection and tests).</summary>
    public SoftTlb Tlb => tlb;

    /// <summary>What the memory system did: TLB hits and misses, walks, flushes, CR3 writes.</summary>
    public MmuCounters Counters => counters;

    public PagingMode Mode => walker.Mode;

    /// <summary>
    /// Whether PDPTEs may map 1 GiB pages; set it to match CPUID 80000001H:EDX[26] (without it, a
    /// PDPTE's PS bit is reserved). Changing it flushes the TLB.
    /// </summary>
    public bool Supports1GiBPages
    {
        get => walker.Supports1GiBPages;
        set
        {
            walker.Supports1GiBPages = value;
            tlb.FlushAll();
        }
    }

    public ulong Cr0 => walker.Cr0;

    /// <summary>CR3 as loaded (without bit 63).</summary>
    public ulong Cr3 => walker.Cr3;

    public ulong Cr4 => walker.Cr4;

    public ulong Efer => walker.Efer;

    /// <summary>True while CPL is 3 (user-mode accesses are checked against U/S).</summary>
    public bool UserMode
    {
        get => userMode;
        set
        {
            userMode = value;
            SelectContext();
        }
    }

    /// <summary>RFLAGS.AC: with CR4.SMAP it lets supervisor code touch user pages.</summary>
    public bool AlignmentCheck
    {
        get => alignmentCheck;
        set
        {
            alignmentCheck = value;
            SelectContext();
        }
    }

    /// <summary>
    /// Raised with the physical address and length of the bytes written, after a write that overlapped
    /// bytes marked as code has been done (the new bytes are in memory when handlers run). It fires once
    /// per page and write, with the part of the write on that page; a write to a code page that touches
    /// only other bytes (data beside code) takes the slow path but raises nothing. Bytes stay marked
    /// until <see cref="ClearCodeBytes"/> or <see cref="UnmarkCodePage"/>. Device writes through
    /// <see cref="PhysicalBus.WriteDma"/> raise it too; writes straight into
    /// <see cref="PhysicalMemory.Span"/> or single <see cref="PhysicalBus.Write"/> calls do not.
    /// </summary>
    public event Action<ulong, int>? CodeWritten;

    /// <summary>True when bits 63:47 are all equal. The CPU checks this in 64-bit mode (#GP/#SS); the walker assumes it.</summary>
    public static bool IsCanonical(ulong linear) => PageWalker.IsCanonical(linear);

    /// <summary>
    /// New values of CR0, CR4 and EFER. The TLB caches permission outcomes that depend on CR0.PG/WP,
    /// CR4.PGE/PAE/PSE/PCIDE/SMEP/SMAP and EFER.NXE/LME/LMA, so a change of any of them invalidates
    /// every entry including global ones: what SDM 4.10.4.1 requires for PG, PGE and PCIDE, and the
    /// permitted "additional invalidation" for the rest.
    /// </summary>
    public void SetPagingControls(ulong cr0, ulong cr4, ulong efer)
    {
        bool flush = ((Cr0 ^ cr0) & (Cr0Pg | Cr0Wp)) != 0
            || ((Cr4 ^ cr4) & (Cr4Pge | Cr4Pae | Cr4Pse | Cr4Pcide | Cr4Smep | Cr4Smap | Cr4Pke | Cr4Pks)) != 0
            || ((Efer ^ efer) & (EferNxe | EferLme | EferLma)) != 0;
        walker.SetControls(cr0, walker.Cr3, cr4, efer);
        if (flush)
        {
            tlb.FlushAll();
            counters.FullFlushes++;
        }

        tlb.SwitchPcid(CurrentPcid);
        SelectContext();
    }

    /// <summary>
    /// MOV to CR3. With CR4.PCIDE = 1, bits 11:0 select the PCID and bit 63 set means "do not flush";
    /// otherwise the new PCID's non-global entries are invalidated (SDM 4.10.4.1). In PAE mode this
    /// loads the PDPTE registers.
    /// </summary>
    public void LoadCr3(ulong value)
    {
        bool pcide = (Cr4 & Cr4Pcide) != 0;
        ulong cr3 = value & ~(1UL << 63);
        walker.LoadCr3(cr3);
        int pcid = CurrentPcid;
        if (pcide && (value & (1UL << 63)) != 0)
        {
            counters.Cr3WritesWithoutFlush++;
        }
        else
        {
            tlb.FlushPcid(pcid);
            counters.Cr3WritesWithFlush++;
            counters.PcidFlushes++;
        }

        tlb.SwitchPcid(pcid);
    }

    /// <summary>False when the PAE PDPTEs at <paramref name="cr3"/> have reserved bits set: the MOV raises #GP(0).</summary>
    public bool PdptesAreValid(ulong cr3) => walker.PdptesAreValid(cr3);

    /// <summary>Translates a linear address for an access of the given kind; throws #PF. Goes through the TLB.</summary>
    public ulong Translate(ulong linear, AccessKind kind, bool user)
    {
        TlbEntry* e = Resolve(linear, kind, user ? PrivilegeContext.User : SupervisorContext);
        return e->PhysicalPage | (linear & 0xFFF);
    }

    /// <summary>
    /// The physical address of an instruction fetch at <paramref name="linear"/> when the current TLB context
    /// already holds a translation that allows it, else false: no walk, no counters, no fault. Compiled code
    /// uses it to check a link into another page against the current mapping.
    /// </summary>
    public bool TryTranslateFetchCached(ulong linear, out ulong physical)
    {
        TlbEntry* e = tlb.Current + SoftTlb.IndexOf(linear);
        if ((e->FetchTag & ~SoftTlb.SlowPath) == ((linear & PageMask) | tlb.Asid))
        {
            physical = e->PhysicalPage | (linear & 0xFFF);
            return true;
        }

        physical = 0;
        return false;
    }

    /// <summary>INVLPG: drops the translations of one page for the current PCID, and global ones (SDM 4.10.4.1).</summary>
    public void InvalidatePage(ulong linear)
    {
        tlb.FlushPage(linear);
        counters.PageFlushes++;
    }

    /// <summary>
    /// INVPCID of the given type (0 individual address, 1 single context, 2 all incl. global, 3 all but
    /// global). The CPU has already raised #GP for a bad type, PCID or non-canonical address.
    /// </summary>
    public void InvalidatePcid(int type, ulong pcid, ulong linear)
    {
        switch (type)
        {
            case 0:
                tlb.FlushPage((int)(pcid & 0xFFF), linear);
                counters.PageFlushes++;
                break;
            case 1:
                tlb.FlushPcid((int)(pcid & 0xFFF));
                counters.PcidFlushes++;
                break;
            case 2:
                tlb.FlushAll();
                counters.FullFlushes++;
                break;
            case 3:
                tlb.FlushAllNonGlobal();
                counters.NonGlobalFlushes++;
                break;
            default:
                throw new ArgumentOutOfRangeException(nameof(type), type, "INVPCID type must be 0-3");
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public byte Read8(ulong linear) => ReadFast<byte>(linear);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public ushort Read16(ulong linear) => ReadFast<ushort>(linear);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public uint Read32(ulong linear) => ReadFast<uint>(linear);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public ulong Read64(ulong linear) => ReadFast<ulong>(linear);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void Write8(ulong linear, byte value) => WriteFast(linear, value);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void Write16(ulong linear, ushort value) => WriteFast(linear, value);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void Write32(ulong linear, uint value) => WriteFast(linear, value);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void Write64(ulong linear, ulong value) => WriteFast(linear, value);

    /// <summary>
    /// A read of 1, 2, 4 or 8 bytes, not inlined: what compiled code calls when its own inline TLB check
    /// missed (or in its quick tier, for every access).
    /// </summary>
    [MethodImpl(MethodImplOptions.NoInlining)]
    public ulong ReadSized(ulong linear, int size) => size switch
    {
        1 => Read8(linear),
        2 => Read16(linear),
        4 => Read32(linear),
        _ => Read64(linear),
    };

    /// <summary>A write of 1, 2, 4 or 8 bytes (the low bytes of <paramref name="value"/>), not inlined: as <see cref="ReadSized"/>.</summary>
    [MethodImpl(MethodImplOptions.NoInlining)]
    public void WriteSized(ulong linear, int size, ulong value)
    {
        switch (size)
        {
            case 1: Write8(linear, (byte)value); break;
            case 2: Write16(linear, (ushort)value); break;
            case 4: Write32(linear, (uint)value); break;
            default: Write64(linear, value); break;
        }
    }

    /// <summary>An instruction-fetch read of one byte (checked for execute permission, NX and SMEP).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public byte Fetch8(ulong linear)
    {
        TlbEntry* e = tlb.Current + SoftTlb.IndexOf(linear);
        if (e->FetchTag == ((linear & PageMask) | tlb.Asid))
        {
            counters.FetchHits++;
            return *(byte*)(e->HostAddend + (nint)linear);
        }

        return (byte)AccessSlow(linear, 1, AccessKind.Execute, context);
    }

    /// <summary>
    /// Instruction fetch of up to <c>destination.Length</c> bytes (e.g. 15 for the decoder). Copies
    /// bytes until the end of the buffer or the first byte whose page cannot be fetched, and returns
    /// how many it copied. Throws #PF only when the first byte cannot be fetched: the decoder asks
    /// again (e.g. with <see cref="Fetch8"/>) for a byte it really needs, which then faults on the
    /// right page.
    /// </summary>
    public int FetchBytes(ulong linear, Span<byte> destination)
    {
        int done = 0;
        while (done < destination.Length)
        {
            ulong at = linear + (ulong)done;
            int count = (int)Math.Min(4096 - (at & 0xFFF), (ulong)(destination.Length - done));
            TlbEntry* e = tlb.Current + SoftTlb.IndexOf(at);
            if (e->FetchTag == ((at & PageMask) | tlb.Asid))
            {
                counters.FetchHits++;
            }
            else
            {
                e = TryResolve(at, AccessKind.Execute, context, out uint errorCode);
                if (e is null)
                {
                    if (done == 0)
                    {
                        throw new PageFaultException(at, errorCode);
                    }

                    break;
                }
            }

            Span<byte> part = destination.Slice(done, count);
            if ((e->FetchTag & SoftTlb.SlowPath) == 0)
            {
                new ReadOnlySpan<byte>((void*)(e->HostAddend + (nint)at), count).CopyTo(part);
            }
            else
            {
                for (int i = 0; i < count; i++)
                {
                    part[i] = (byte)Bus.Read(e->PhysicalPage | ((at + (ulong)i) & 0xFFF), 1);
                }
            }

            done += count;
        }

        return done;
    }

    /// <summary>An implicit supervisor read of 1 to 8 bytes (GDT, LDT, IDT, TSS), whatever the CPL (SMAP is never overridden).</summary>
    public ulong ReadSystem(ulong linear, int size) => AccessSlow(linear, size, AccessKind.Read, PrivilegeContext.Supervisor);

    /// <summary>An implicit supervisor write of 1 to 8 bytes (descriptor accessed/busy bits, TSS), whatever the CPL.</summary>
    public void WriteSystem(ulong linear, int size, ulong value) => WriteSlow(linear, size, value, PrivilegeContext.Supervisor);

    /// <summary>
    /// Checks that a write of <paramref name="size"/> bytes would succeed, without writing (for
    /// precise multi-access instructions). Like the write itself it may set the D bits.
    /// </summary>
    public void ProbeWrite(ulong linear, int size)
    {
        Resolve(linear, AccessKind.Write, context);
        if (((linear & 0xFFF) + (ulong)size) > 4096)
        {
            Resolve(SecondPage(linear), AccessKind.Write, context);
        }
    }

    private PrivilegeContext SupervisorContext =>
        alignmentCheck && (Cr4 & Cr4Smap) != 0 ? PrivilegeContext.SupervisorSmapOverride : PrivilegeContext.Supervisor;

    private int CurrentPcid => (Cr4 & Cr4Pcide) != 0 && walker.Mode == PagingMode.FourLevel ? (int)(Cr3 & 0xFFF) : 0;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private T ReadFast<T>(ulong linear)
        where T : unmanaged
    {
        TlbEntry* e = tlb.Current + SoftTlb.IndexOf(linear);

        // Tagging the last byte's page makes a page-crossing access miss: one compare checks both.
        if (e->ReadTag == (((linear + (ulong)(sizeof(T) - 1)) & PageMask) | tlb.Asid))
        {
            counters.ReadHits++;
            return Unsafe.ReadUnaligned<T>((void*)(e->HostAddend + (nint)linear));
        }

        ulong value = AccessSlow(linear, sizeof(T), AccessKind.Read, context);
        return Unsafe.As<ulong, T>(ref value);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private void WriteFast<T>(ulong linear, T value)
        where T : unmanaged
    {
        TlbEntry* e = tlb.Current + SoftTlb.IndexOf(linear);
        if (e->WriteTag == (((linear + (ulong)(sizeof(T) - 1)) & PageMask) | tlb.Asid))
        {
            counters.WriteHits++;
            Unsafe.WriteUnaligned((void*)(e->HostAddend + (nint)linear), value);
            return;
        }

        ulong raw = 0;
        Unsafe.As<ulong, T>(ref raw) = value;
        WriteSlow(linear, sizeof(T), raw, context);
    }

    private void SelectContext()
    {
        context = userMode ? PrivilegeContext.User : SupervisorContext;
        tlb.SelectContext(context);
    }

    private ulong SecondPage(ulong linear)
    {
        ulong second = (linear | 0xFFF) + 1;
        return walker.Mode == PagingMode.FourLevel ? second : second & 0xFFFF_FFFF;
    }

    private void NotifyDeviceWrite(ulong physical, ulong length)
    {
        if (codePages.Count == 0)
        {
            return;
        }

        ulong end = physical + length;
        for (ulong at = physical; at < end; at = (at & PageMask) + 4096)
        {
            NotifyIfCode(at, (int)(Math.Min(end, (at & PageMask) + 4096) - at));
        }
    }

    /// <summary>After a write of <paramref name="length"/> bytes at <paramref name="physical"/> (one page): tells the owner of code it overlaps.</summary>
    private void NotifyIfCode(ulong physical, int length)
    {
        if (codePages.TryGetValue(physical >> 12, out CodeBytes? bytes))
        {
            counters.CodePageWrites++;
            if (bytes.Overlaps((int)(physical & 0xFFF), length))
            {
                counters.CodeWrites++;
                CodeWritten?.Invoke(physical, length);
            }
        }
    }

    private TlbEntry* Resolve(ulong linear, AccessKind kind, PrivilegeContext ctx)
    {
        TlbEntry* e = TryResolve(linear, kind, ctx, out uint errorCode);
        if (e is null)
        {
            throw new PageFaultException(linear, errorCode);
        }

        return e;
    }

    /// <summary>
    /// The TLB entry that allows this access (its tag for <paramref name="kind"/> is valid, possibly
    /// with <see cref="SoftTlb.SlowPath"/>), after a victim lookup or a walk if needed; null with the
    /// #PF error code when the access faults.
    /// </summary>
    private TlbEntry* TryResolve(ulong linear, AccessKind kind, PrivilegeContext ctx, out uint errorCode)
    {
        TlbEntry* e = TryResolveEntry(linear, kind, ctx, out errorCode);
        if (e is not null && Watchpoints.Armed && Watchpoints.CoversPage(linear & PageMask))
        {
            // Keep the page off the read and write fast paths so the slow path sees every access.
            e->ReadTag |= e->ReadTag != SoftTlb.Invalid ? SoftTlb.SlowPath : 0;
            e->WriteTag |= e->WriteTag != SoftTlb.Invalid ? SoftTlb.SlowPath : 0;
        }

        return e;
    }

    private TlbEntry* TryResolveEntry(ulong linear, AccessKind kind, PrivilegeContext ctx, out uint errorCode)
    {
        errorCode = 0;
        ulong page = linear & PageMask;
        TlbEntry* e = tlb.FirstLevel(ctx) + SoftTlb.IndexOf(linear);
        if ((SoftTlb.TagOf(e, kind) & ~SoftTlb.SlowPath) == (page | tlb.Asid))
        {
            CountHit(kind);
            return e;
        }

        CountMiss(kind);
        e = tlb.Find(page, ctx, out bool fromVictim);
        if (fromVictim)
        {
            counters.VictimHits++;
        }

        if (e is not null && SoftTlb.TagOf(e, kind) != SoftTlb.Invalid)
        {
            return e;
        }

        counters.PageWalks++;
        if (!walker.TryTranslate(linear, kind, ctx, out Translation t, out errorCode))
        {
            counters.PageFaults++;
            return null;
        }

        ulong physicalPage = t.PhysicalAddress & PageMask;
        byte* host = Bus.Ram.HostAddressOf(physicalPage);
        bool pagingOn = walker.Mode != PagingMode.None;
        bool read = !pagingOn || walker.Permits(t, AccessKind.Read, ctx);
        bool write = !pagingOn || (t.Dirty && walker.Permits(t, AccessKind.Write, ctx));
        bool fetch = !pagingOn || walker.Permits(t, AccessKind.Execute, ctx);
        bool writeSlow = codePages.ContainsKey(physicalPage >> 12);
        uint keyFlags = pagingOn && walker.KeysApply(t.UserAccessible) ? SoftTlb.ProtectionKeyFlags(t.UserAccessible, t.ProtectionKey) : 0;
        return tlb.Insert(page, ctx, physicalPage, host, t.PageSize - 1, t.Global, read, write, writeSlow, fetch, keyFlags);
    }

    private void CountHit(AccessKind kind)
    {
        switch (kind)
        {
            case AccessKind.Read: counters.ReadHits++; break;
            case AccessKind.Write: counters.WriteHits++; break;
            default: counters.FetchHits++; break;
        }
    }

    private void CountMiss(AccessKind kind)
    {
        switch (kind)
        {
            case AccessKind.Read: counters.ReadMisses++; break;
            case AccessKind.Write: counters.WriteMisses++; break;
            default: counters.FetchMisses++; break;
        }
    }
}
