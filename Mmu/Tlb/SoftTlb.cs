using System.Numerics;
using System.Runtime.CompilerServices;
using Mmu.Paging;

namespace Mmu.Tlb;

/// <summary>
/// The software TLB. A direct-mapped first level per privilege context (user, supervisor, supervisor
/// with SMAP overridden by RFLAGS.AC), so a user access can never hit a translation that was checked
/// for the supervisor; and a direct-mapped victim level, shared by the contexts and indexed by a hash
/// of page, address space and context, that keeps what the first level evicts. A CR3 switch between
/// two PCIDs therefore keeps both address spaces' translations even where their linear pages collide.
/// <para>
/// PCIDs are mapped to internal address-space ids (ASIDs, 1..1023) that sit in the low bits of the
/// tags. Invalidating a PCID just gives it a fresh ASID, so its old entries can never match again;
/// ASIDs are recycled (wiping every non-global entry) only when they run out. Global entries match
/// any ASID: a lookup that finds one under another ASID re-tags it instead of walking.
/// </para>
/// Large pages are cached as their 4 KiB pieces; INVLPG anywhere in a cached large page drops all of
/// its pieces (SDM 4.10.4.1, 4.10.2.3).
/// </summary>
public sealed unsafe class SoftTlb
{
    /// <summary>First-level entries per privilege context (4 MiB of 4 KiB pages).</summary>
    public const int FirstLevelEntries = 512;

    /// <summary>Entries of the victim level.</summary>
    public const int VictimEntries = 4096;

    /// <summary>Tag bit: the translation is known but the access must take the slow path (MMIO, code page).</summary>
    public const ulong SlowPath = 1UL << 10;

    /// <summary>A tag or key that matches no access.</summary>
    public const ulong Invalid = ulong.MaxValue;

    /// <summary>Bits of a tag or key that hold the address-space id.</summary>
    public const ulong AsidMask = 0x3FF;

    public const uint GlobalFlag = 1;
    public const uint RamFlag = 2;

    /// <summary>Entry flags: the page's data rights depend on PKRU (a user-mode page) or IA32_PKRS (supervisor), for the key in bits 15:12.</summary>
    public const uint UserKeyFlag = 4;
    public const uint SupervisorKeyFlag = 8;
    private const int KeyShift = 12;

    private const ulong PageMask = ~0xFFFUL;
    private const int ContextCount = 3;
    private const int ContextShift = 8;
    private const int ContextKeyShift = 10;
    private const int MaxAsid = 1023;
    private const int TotalEntries = (ContextCount * FirstLevelEntries) + VictimEntries;

    private readonly TlbEntry[] storage;
    private readonly TlbEntry* entries;
    private readonly TlbEntry* victim;

    // The physical page of every slot, kept apart so that marking a code page scans 45 KB, not 360 KB.
    private readonly ulong[] physicalPageOf = new ulong[TotalEntries];
    private readonly ushort[] asidOfPcid = new ushort[4096];

    // Key | context << 10 of every victim slot, dense so that a probe touches 8 bytes, not a 64-byte entry.
    private readonly ulong[] victimKeys = new ulong[VictimEntries];

    // Large pages that may have pieces cached: base | log2(size).
    private readonly HashSet<ulong> largePages = [];
    private int nextAsid = 1;

    public SoftTlb()
    {
        // One pinned array, aligned here to a cache line, never moves: the hot path holds raw pointers.
        storage = GC.AllocateArray<TlbEntry>(TotalEntries + 1, pinned: true);
        entries = (TlbEntry*)(((nint)Unsafe.AsPointer(ref storage[0]) + 63) & ~(nint)63);
        victim = entries + (ContextCount * FirstLevelEntries);
        for (int i = 0; i < TotalEntries; i++)
        {
            Clear(entries + i);
        }

        Array.Fill(physicalPageOf, Invalid);
        Array.Fill(victimKeys, Invalid);
        SelectContext(PrivilegeContext.Supervisor);
        SwitchPcid(0);
    }

    /// <summary>First-level entries of the current context (read by the inlined hit path).</summary>
    public TlbEntry* Current;

    /// <summary>The current address-space id, as it appears in tags (read by the inlined hit path).</summary>
    public ulong Asid;

    public int Pcid { get; private set; }

    public PrivilegeContext Context { get; private set; }

    /// <summary>A first-level index is the linear page number (address &gt;&gt; this) modulo <see cref="FirstLevelEntries"/>.</summary>
    public const int IndexShift = 12;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static nuint IndexOf(ulong linear) => (nuint)(linear >> IndexShift) & (FirstLevelEntries - 1);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static ref ulong TagOf(TlbEntry* e, AccessKind kind) => ref *(&e->ReadTag + (int)kind);

    public TlbEntry* FirstLevel(PrivilegeContext context) => entries + ((int)context * FirstLevelEntries);

    public void SelectContext(PrivilegeContext context)
    {
        Context = context;
        Current = FirstLevel(context);
    }

    /// <summary>Makes <paramref name="pcid"/> current without invalidating anything.</summary>
    public void SwitchPcid(int pcid)
    {
        Pcid = pcid & 0xFFF;
        if (asidOfPcid[Pcid] == 0)
        {
            AllocateAsid(Pcid);
        }

        Asid = asidOfPcid[Pcid];
    }

    /// <summary>Drops the non-global translations of one PCID.</summary>
    public void FlushPcid(int pcid)
    {
        pcid &= 0xFFF;
        asidOfPcid[pcid] = 0;
        if (pcid == Pcid)
        {
            SwitchPcid(pcid);
        }
    }

    /// <summary>Drops the non-global translations of every PCID.</summary>
    public void FlushAllNonGlobal()
    {
        Array.Clear(asidOfPcid);
        SwitchPcid(Pcid);
    }

    /// <summary>Drops every translation, global ones included.</summary>
    public void FlushAll()
    {
        for (int i = 0; i < TotalEntries; i++)
        {
            Clear(entries + i);
        }

        largePages.Clear();
        Array.Clear(asidOfPcid);
        nextAsid = 1;
        SwitchPcid(Pcid);
    }

    /// <summary>INVLPG: drops the page's translations for the current PCID and global ones (here: for every PCID).</summary>
    public void FlushPage(ulong linear)
    {
        ulong page = linear & PageMask;
        for (int c = 0; c < ContextCount; c++)
        {
            TlbEntry* e = FirstLevel((PrivilegeContext)c) + IndexOf(page);
            if (e->Key != Invalid && (e->Key & PageMask) == page)
            {
                Clear(e);
            }

            ClearVictim(page, Asid, c);
            ClearVictim(page, 0, c);
        }

        FlushLargePieces(linear, includeGlobal: true);
    }

    /// <summary>INVPCID type 0: drops the non-global translations of one page in one PCID.</summary>
    public void FlushPage(int pcid, ulong linear)
    {
        ulong asid = asidOfPcid[pcid & 0xFFF];
        if (asid == 0)
        {
            return; // nothing non-global is cached for a PCID without an ASID
        }

        ulong page = linear & PageMask;
        for (int c = 0; c < ContextCount; c++)
        {
            TlbEntry* e = FirstLevel((PrivilegeContext)c) + IndexOf(page);
            if (e->Key == (page | asid) && (e->Flags & GlobalFlag) == 0)
            {
                Clear(e);
            }

            ClearVictim(page, asid, c);
        }

        FlushLargePieces(linear, includeGlobal: false);
    }

    /// <summary>
    /// Finds the translation of <paramref name="page"/> for the current ASID in <paramref name="context"/>,
    /// moving it into the first level if the victim level has it. Null when a walk is needed.
    /// </summary>
    public TlbEntry* Find(ulong page, PrivilegeContext context, out bool fromVictim)
    {
        fromVictim = false;
        int ctx = (int)context;
        TlbEntry* e = FirstLevel(context) + IndexOf(page);
        if (e->Key != Invalid && (e->Key & PageMask) == page)
        {
            if ((e->Key & AsidMask) == Asid)
            {
                return e;
            }

            if ((e->Flags & GlobalFlag) != 0)
            {
                Retag(e, Asid);
                return e;
            }
        }

        // This address space's entry, else a global one (kept under ASID 0, which no PCID gets).
        ulong contextKey = (ulong)ctx << ContextKeyShift;
        int slot = VictimIndex(page, Asid, ctx);
        if (victimKeys[slot] != (page | Asid | contextKey))
        {
            slot = VictimIndex(page, 0, ctx);
            if (victimKeys[slot] != (page | contextKey))
            {
                return null;
            }
        }

        TlbEntry* v = victim + slot;
        TlbEntry taken = *v;
        Clear(v);
        Evict(e);
        *e = taken;
        Retag(e, Asid);
        physicalPageOf[e - entries] = taken.PhysicalPage;
        fromVictim = true;
        return e;
    }

    /// <summary>
    /// Caches a walked translation of one 4 KiB linear page in the first level of
    /// <paramref name="context"/>; a kind whose right is false gets an invalid tag.
    /// </summary>
    public TlbEntry* Insert(
        ulong page, PrivilegeContext context, ulong physicalPage, byte* host, ulong pageMask, bool global,
        bool read, bool write, bool writeSlow, bool fetch, uint keyFlags = 0)
    {
        TlbEntry* e = FirstLevel(context) + IndexOf(page);
        bool same = e->Key != Invalid && (e->Key & PageMask) == page
            && ((e->Key & AsidMask) == Asid || (e->Flags & GlobalFlag) != 0);
        if (!same)
        {
            Evict(e);
        }

        ulong key = page | Asid;
        ulong slow = host is null ? SlowPath : 0;
        e->ReadTag = read ? key | slow : Invalid;
        e->WriteTag = write ? key | slow | (writeSlow ? SlowPath : 0) : Invalid;
        e->FetchTag = fetch ? key | slow : Invalid;
        e->HostAddend = host is null ? 0 : (nint)host - (nint)page;
        e->PhysicalPage = physicalPage;
        e->Key = key;
        e->PageMask = pageMask;
        e->Flags = (global ? GlobalFlag : 0) | (host is null ? 0 : RamFlag) | ((uint)context << ContextShift) | keyFlags;
        physicalPageOf[e - entries] = physicalPage;
        if (pageMask != 0xFFF)
        {
            largePages.Add((page & ~pageMask) | (uint)BitOperations.PopCount(pageMask));
        }

        return e;
    }

    /// <summary>The entry flags that record a protection key governing a page's data accesses.</summary>
    public static uint ProtectionKeyFlags(bool userPage, int key) => (userPage ? UserKeyFlag : SupervisorKeyFlag) | ((uint)key << KeyShift);

    /// <summary>
    /// WRPKRU or a write of IA32_PKRS changed the rights of the keys in <paramref name="changedKeys"/> (one bit
    /// per key): the entries whose rights came from them (<paramref name="keyFlag"/>) are dropped, so the
    /// next access rechecks; no flush by software is needed (SDM 4.10.2.2: keys are not cached as rights).
    /// </summary>
    public void DropKeyed(uint keyFlag, uint changedKeys)
    {
        if (changedKeys == 0)
        {
            return;
        }

        for (int i = 0; i < TotalEntries; i++)
        {
            TlbEntry* e = entries + i;
            if ((e->Flags & keyFlag) != 0 && (changedKeys & (1u << (int)((e->Flags >> KeyShift) & 0xF))) != 0)
            {
                Clear(e);
            }
        }
    }

    /// <summary>Withdraws the write fast path from every entry that maps the physical page at <paramref name="physicalPage"/>.</summary>
    public void RemoveFastWrite(ulong physicalPage) => ForEachMapping(physicalPage, e =>
    {
        if (e->WriteTag != Invalid)
        {
            e->WriteTag |= SlowPath;
        }
    });

    /// <summary>Gives the write fast path back to entries mapping a RAM page that no longer holds code.</summary>
    public void RestoreFastWrite(ulong physicalPage) => ForEachMapping(physicalPage, e =>
    {
        if (e->WriteTag != Invalid && (e->Flags & RamFlag) != 0)
        {
            e->WriteTag &= ~SlowPath;
        }
    });

    /// <summary>Number of valid entries (first level and victim), for tests and statistics.</summary>
    public int CountValid()
    {
        int n = 0;
        for (int i = 0; i < TotalEntries; i++)
        {
            n += entries[i].Key != Invalid ? 1 : 0;
        }

        return n;
    }

    private static int ContextOf(TlbEntry* e) => (int)(e->Flags >> ContextShift) & 3;

    private static int VictimIndex(ulong page, ulong asid, int context) =>
        (int)((((page >> 12) ^ (asid << 24) ^ ((ulong)context << 40)) * 0x9E37_79B9_7F4A_7C15UL) >> 52);

    private void Clear(TlbEntry* e)
    {
        nint inVictim = (nint)(e - victim);
        if ((nuint)inVictim < VictimEntries)
        {
            victimKeys[inVictim] = Invalid;
        }

        e->ReadTag = Invalid;
        e->WriteTag = Invalid;
        e->FetchTag = Invalid;
        e->HostAddend = 0;
        e->PhysicalPage = Invalid;
        e->Key = Invalid;
        e->PageMask = 0xFFF;
        e->Flags = 0;
    }

    private static void Retag(TlbEntry* e, ulong asid)
    {
        e->Key = (e->Key & ~AsidMask) | asid;
        for (int k = 0; k < 3; k++)
        {
            ref ulong tag = ref TagOf(e, (AccessKind)k);
            if (tag != Invalid)
            {
                tag = (tag & ~AsidMask) | asid;
            }
        }
    }

    private void ClearVictim(ulong page, ulong asid, int context)
    {
        int slot = VictimIndex(page, asid, context);
        if (victimKeys[slot] == (page | asid | ((ulong)context << ContextKeyShift)))
        {
            Clear(victim + slot);
        }
    }

    /// <summary>Moves a first-level entry to its victim slot (global entries under ASID 0).</summary>
    private void Evict(TlbEntry* e)
    {
        if (e->Key == Invalid)
        {
            return;
        }

        ulong page = e->Key & PageMask;
        ulong asid = (e->Flags & GlobalFlag) != 0 ? 0 : e->Key & AsidMask;
        int slot = VictimIndex(page, asid, ContextOf(e));
        TlbEntry* v = victim + slot;
        *v = *e;
        v->Key = page | asid;
        victimKeys[slot] = page | asid | ((ulong)ContextOf(e) << ContextKeyShift);
        physicalPageOf[v - entries] = e->PhysicalPage;
        Clear(e);
    }

    private void AllocateAsid(int pcid)
    {
        if (nextAsid > MaxAsid)
        {
            // Out of ids: forget every non-global entry so that old ids can be handed out again.
            for (int i = 0; i < TotalEntries; i++)
            {
                if ((entries[i].Flags & GlobalFlag) == 0)
                {
                    Clear(entries + i);
                }
            }

            Array.Clear(asidOfPcid);
            nextAsid = 1;
        }

        asidOfPcid[pcid] = (ushort)nextAsid++;
    }

    private void FlushLargePieces(ulong linear, bool includeGlobal)
    {
        if (largePages.Count == 0)
        {
            return;
        }

        bool cached = false;
        foreach (int log2 in stackalloc int[] { 21, 22, 30 })
        {
            ulong key = (linear & ~((1UL << log2) - 1)) | (uint)log2;
            cached |= includeGlobal ? largePages.Remove(key) : largePages.Contains(key);
        }

        if (!cached)
        {
            return;
        }

        for (int i = 0; i < TotalEntries; i++)
        {
            TlbEntry* e = entries + i;
            if (e->Key != Invalid && e->PageMask != 0xFFF
                && ((e->Key & PageMask & ~e->PageMask) == (linear & ~e->PageMask))
                && (includeGlobal || (e->Flags & GlobalFlag) == 0))
            {
                Clear(e);
            }
        }
    }

    private void ForEachMapping(ulong physicalPage, EntryAction action)
    {
        Span<ulong> pages = physicalPageOf;
        int start = 0;
        while (start < pages.Length)
        {
            int found = pages[start..].IndexOf(physicalPage);
            if (found < 0)
            {
                return;
            }

            TlbEntry* e = entries + start + found;
            if (e->Key != Invalid && e->PhysicalPage == physicalPage)
            {
                action(e);
            }

            start += found + 1;
        }
    }

    private delegate void EntryAction(TlbEntry* e);
}
