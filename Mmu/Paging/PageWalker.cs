using Mmu.Physical;
using static Mmu.Paging.ControlRegisterBits;

namespace Mmu.Paging;

/// <summary>
/// Walks the guest's paging structures (Intel SDM chapter 4): 32-bit paging (4 KiB and, with CR4.PSE,
/// 4 MiB pages with PSE-36), PAE paging (PDPTE registers, 4 KiB and 2 MiB pages) and 4-level paging
/// (4 KiB, 2 MiB and 1 GiB pages). It checks present and reserved bits level by level, combines
/// R/W, U/S and XD over all levels, applies CR0.WP, CR4.SMEP/SMAP and EFER.NXE, and sets the accessed
/// and dirty flags as the hardware does (with CR4.PKE/PKS, protection keys from PKRU and IA32_PKRS, SDM 4.6.2): A in each non-leaf entry as it is used, A (and D for a
/// write) in the leaf entry only once the access is known to be allowed (SDM 4.8). It caches nothing:
/// the TLB above it does. In 4-level mode the caller has already checked that the address is
/// canonical (<see cref="IsCanonical"/>); a non-canonical access is a #GP or #SS, not a #PF.
/// </summary>
public sealed class PageWalker
{
    /// <summary>MAXPHYADDR as reported by CPUID 80000008H:EAX[7:0] (QEMU's default for qemu64).</summary>
    public const int PhysicalAddressBits = 40;

    private const ulong Present = 1UL << 0;
    private const ulong ReadWrite = 1UL << 1;
    private const ulong UserSupervisor = 1UL << 2;
    private const ulong WriteThroughBit = 1UL << 3;
    private const ulong CacheDisableBit = 1UL << 4;
    private const ulong Accessed = 1UL << 5;
    private const ulong DirtyBit = 1UL << 6;
    private const ulong PageSizeBit = 1UL << 7;
    private const ulong GlobalBit = 1UL << 8;
    private const ulong ExecuteDisable = 1UL << 63;

    private const ulong PhysicalMask = (1UL << PhysicalAddressBits) - 1;
    private const ulong FrameMask = PhysicalMask & ~0xFFFUL;

    // Bits 51:MAXPHYADDR of a 4-level entry are reserved; bits 62:52 are ignored (SDM 4.5).
    private const ulong FourLevelHighReserved = ((1UL << 52) - 1) & ~PhysicalMask;

    // Bits 62:MAXPHYADDR of a PAE PDE/PTE are reserved (SDM 4.4.2).
    private const ulong PaeHighReserved = ((1UL << 63) - 1) & ~PhysicalMask;

    // A present PAE PDPTE reserves bits 2:1, 8:5 and 63:MAXPHYADDR (SDM 4.4.1, table 4-8).
    private const ulong PdpteReserved = 0x6UL | 0x1E0UL | (~0UL & ~PhysicalMask);

    private const ulong Reserved1GiB = 0x3FFF_E000UL; // bits 29:13 of a PDPTE mapping 1 GiB
    private const ulong Reserved2MiB = 0x001F_E000UL; // bits 20:13 of a PDE mapping 2 MiB
    private const uint Reserved4MiB = 1U << 21; // bit 21 of a 32-bit PDE mapping 4 MiB (PSE-36, M = 40)

    private const int ProtectionKeyShift = 59;

    private readonly PhysicalBus bus;
    private readonly ulong[] pdpteRegisters = new ulong[4];
    private bool inspecting;

    public PageWalker(PhysicalBus bus)
    {
        this.bus = bus;
    }

    /// <summary>Whether PDPTEs may map 1 GiB pages (CPUID 80000001H:EDX.Page1GB[26]); otherwise their PS bit is reserved.</summary>
    public bool Supports1GiBPages { get; set; } = true;

    public PagingMode Mode { get; private set; }

    /// <summary>PKRU: two bits per protection key of user-mode pages, AD (bit 2k) and WD (bit 2k + 1).</summary>
    public uint Pkru { get; set; }

    /// <summary>IA32_PKRS: the same for supervisor-mode pages.</summary>
    public uint Pkrs { get; set; }

    public ulong Cr0 { get; private set; }

    public ulong Cr3 { get; private set; }

    public ulong Cr4 { get; private set; }

    public ulong Efer { get; private set; }

    /// <summary>The four PDPTE registers of PAE paging, as last loaded (SDM 4.4.1).</summary>
    public ReadOnlySpan<ulong> PdpteRegisters => pdpteRegisters;

    private bool Nxe => (Efer & EferNxe) != 0;

    /// <summary>True when bits 63:47 of <paramref name="linear"/> are all equal (4-level paging, SDM 3.3.7.1).</summary>
    public static bool IsCanonical(ulong linear) => (ulong)((long)(linear << 16) >> 16) == linear;

    /// <summary>The paging mode that the given control registers select.</summary>
    public static PagingMode ModeOf(ulong cr0, ulong cr4, ulong efer)
    {
        if ((cr0 & Cr0Pg) == 0)
        {
            return PagingMode.None;
        }

        if ((cr4 & Cr4Pae) == 0)
        {
            return PagingMode.Bits32;
        }

        // EFER.LMA is LME & PG; accept either so a CPU that has not yet set LMA still gets IA-32e paging.
        return (efer & (EferLma | EferLme)) != 0 ? PagingMode.FourLevel : PagingMode.Pae;
    }

    /// <summary>New values of all the controls. Reloads the PDPTE registers when PAE paging is (re)entered or CR3 changes.</summary>
    public void SetControls(ulong cr0, ulong cr3, ulong cr4, ulong efer)
    {
        PagingMode previous = Mode;
        bool reload = Cr3 != cr3 || ((Cr0 ^ cr0) & Cr0Pg) != 0 || ((Cr4 ^ cr4) & (Cr4Pae | Cr4Pse | Cr4Pge | Cr4Smep | Cr4Smap)) != 0;
        Cr0 = cr0;
        Cr3 = cr3;
        Cr4 = cr4;
        Efer = efer;
        Mode = ModeOf(cr0, cr4, efer);
        if (Mode == PagingMode.Pae && (reload || previous != PagingMode.Pae))
        {
            LoadPdptes(cr3);
        }
    }

    /// <summary>MOV to CR3 (bit 63 already removed). In PAE mode this loads the PDPTE registers.</summary>
    public void LoadCr3(ulong cr3)
    {
        Cr3 = cr3;
        if (Mode == PagingMode.Pae)
        {
            LoadPdptes(cr3);
        }
    }

    /// <summary>
    /// False when loading the PDPTEs at <paramref name="cr3"/> would fail: a present PDPTE with a
    /// reserved bit set. The CPU raises #GP(0) for the MOV to CR3/CR0/CR4 then (SDM 4.4.1); a walk
    /// through such a PDPTE, if it was loaded anyway, reports a reserved-bit #PF.
    /// </summary>
    public bool PdptesAreValid(ulong cr3)
    {
        ulong table = cr3 & 0xFFFF_FFE0;
        for (int i = 0; i < 4; i++)
        {
            ulong e = bus.Read(table + (ulong)(i * 8), 8);
            if ((e & Present) != 0 && (e & PdpteReserved) != 0)
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>
    /// Whether a page with the given combined rights may be accessed with <paramref name="kind"/> in
    /// <paramref name="context"/> under the current CR0.WP, CR4.SMEP and CR4.SMAP (SDM 4.6.1).
    /// </summary>
    public bool Permits(in Translation t, AccessKind kind, PrivilegeContext context) =>
        PermitsByRights(t, kind, context) && KeyPermits(t, kind, context);

    /// <summary>
    /// Whether the page's protection key allows a data access: with 4-level paging and CR4.PKE (user-mode
    /// pages, PKRU) or CR4.PKS (supervisor-mode pages, IA32_PKRS), AD forbids every data access and WD
    /// forbids user writes and, with CR0.WP, supervisor writes; fetches are never checked (SDM 4.6.2).
    /// </summary>
    public bool KeyPermits(in Translation t, AccessKind kind, PrivilegeContext context)
    {
        if (kind == AccessKind.Execute || !KeysApply(t.UserAccessible))
        {
            return true;
        }

        uint rights = ((t.UserAccessible ? Pkru : Pkrs) >> (2 * t.ProtectionKey)) & 3;
        if ((rights & 1) != 0)
        {
            return false;
        }

        return kind != AccessKind.Write || (rights & 2) == 0 || (context != PrivilegeContext.User && (Cr0 & Cr0Wp) == 0);
    }

    /// <summary>Whether protection keys govern pages of this kind under the current paging mode and CR4.</summary>
    public bool KeysApply(bool userPage) =>
        Mode == PagingMode.FourLevel && (Cr4 & (userPage ? Cr4Pke : Cr4Pks)) != 0;

    private bool PermitsByRights(in Translation t, AccessKind kind, PrivilegeContext context)
    {
        if (context == PrivilegeContext.User)
        {
            return t.UserAccessible && kind switch
            {
                AccessKind.Read => true,
                AccessKind.Write => t.Writable,
                _ => t.Executable,
            };
        }

        if (kind == AccessKind.Execute)
        {
            return t.Executable && !(t.UserAccessible && (Cr4 & Cr4Smep) != 0);
        }

        if (t.UserAccessible && (Cr4 & Cr4Smap) != 0 && context != PrivilegeContext.SupervisorSmapOverride)
        {
            return false;
        }

        return kind == AccessKind.Read || t.Writable || (Cr0 & Cr0Wp) == 0;
    }

    /// <summary>The #PF error code bits that describe the access itself (W/R, U/S, I/D).</summary>
    public uint AccessErrorBits(AccessKind kind, PrivilegeContext context)
    {
        uint code = 0;
        if (kind == AccessKind.Write)
        {
            code |= PageFaultErrorCode.Write;
        }

        if (context == PrivilegeContext.User)
        {
            code |= PageFaultErrorCode.User;
        }

        // SDM 4.7: I/D is reported only with SMEP, or with PAE/4-level paging and NXE.
        if (kind == AccessKind.Execute && ((Cr4 & Cr4Smep) != 0 || ((Cr4 & Cr4Pae) != 0 && Nxe)))
        {
            code |= PageFaultErrorCode.InstructionFetch;
        }

        return code;
    }

    /// <summary>
    /// Translates <paramref name="linear"/> for one access. On success sets A/D bits and returns the
    /// translation; on failure changes nothing in the leaf entry and returns the #PF error code.
    /// </summary>
    public bool TryTranslate(ulong linear, AccessKind kind, PrivilegeContext context, out Translation translation, out uint errorCode)
    {
        switch (Mode)
        {
            case PagingMode.FourLevel:
                return WalkFourLevel(linear, kind, context, out translation, out errorCode);
            case PagingMode.Pae:
                return WalkPae(linear & 0xFFFF_FFFF, kind, context, out translation, out errorCode);
            case PagingMode.Bits32:
                return Walk32(linear & 0xFFFF_FFFF, kind, context, out translation, out errorCode);
            default:
                translation = Identity(linear & 0xFFFF_FFFF);
                errorCode = 0;
                return true;
        }
    }

    /// <summary>
    /// Translates for a debugger: the physical address <paramref name="linear"/> maps to, or false when it is
    /// not mapped (or not canonical). It sets no accessed or dirty bit and ignores protection, as a
    /// debugger's view of memory must change nothing the guest can see.
    /// </summary>
    public bool TryInspect(ulong linear, out ulong physical)
    {
        physical = 0;
        if (Mode == PagingMode.FourLevel && !IsCanonical(linear))
        {
            return false;
        }

        inspecting = true;
        try
        {
            bool mapped = TryTranslate(linear, AccessKind.Read, PrivilegeContext.SupervisorSmapOverride, out Translation t, out _);
            physical = t.PhysicalAddress;
            return mapped;
        }
        finally
        {
            inspecting = false;
        }
    }

    /// <summary>The translation of an address with paging off: identity, every right.</summary>
    public static Translation Identity(ulong physical) => new()
    {
        PhysicalAddress = physical,
        PageSize = 4096,
        UserAccessible = true,
        Writable = true,
        Executable = true,
        Dirty = true,
        Global = false,
        CacheDisabled = false,
        WriteThrough = false,
    };

    private void LoadPdptes(ulong cr3)
    {
        ulong table = cr3 & 0xFFFF_FFE0;
        for (int i = 0; i < 4; i++)
        {
            pdpteRegisters[i] = bus.Read(table + (ulong)(i * 8), 8);
        }
    }

    private bool WalkFourLevel(ulong linear, AccessKind kind, PrivilegeContext context, out Translation translation, out uint errorCode)
    {
        ulong nxReserved = Nxe ? 0 : ExecuteDisable;
        ulong table = Cr3 & FrameMask;
        bool user = true;
        bool writable = true;
        bool executable = true;
        for (int shift = 39; ; shift -= 9)
        {
            ulong entryAddress = table + (((linear >> shift) & 511) * 8);
            ulong e = bus.Read(entryAddress, 8);
            if ((e & Present) == 0)
            {
                return NotPresent(kind, context, out translation, out errorCode);
            }

            ulong reserved = FourLevelHighReserved | nxReserved;
            bool leaf = shift == 12;
            if (shift == 39)
            {
                reserved |= PageSizeBit;
            }
            else if (shift == 30 && (e & PageSizeBit) != 0)
            {
                reserved |= Supports1GiBPages ? Reserved1GiB : PageSizeBit;
                leaf = true;
            }
            else if (shift == 21 && (e & PageSizeBit) != 0)
            {
                reserved |= Reserved2MiB;
                leaf = true;
            }

            if ((e & reserved) != 0)
            {
                return ReservedBitSet(kind, context, out translation, out errorCode);
            }

            user &= (e & UserSupervisor) != 0;
            writable &= (e & ReadWrite) != 0;
            executable &= (e & ExecuteDisable) == 0;
            if (!leaf)
            {
                SetAccessed(entryAddress, e);
                table = e & FrameMask;
                continue;
            }

            return Leaf(linear, kind, context, entryAddress, e, 1UL << shift, user, writable, executable, out translation, out errorCode);
        }
    }

    private bool WalkPae(ulong linear, AccessKind kind, PrivilegeContext context, out Translation translation, out uint errorCode)
    {
        ulong pdpte = pdpteRegisters[(int)(linear >> 30) & 3];
        if ((pdpte & Present) == 0)
        {
            return NotPresent(kind, context, out translation, out errorCode);
        }

        if ((pdpte & PdpteReserved) != 0)
        {
            return ReservedBitSet(kind, context, out translation, out errorCode);
        }

        ulong nxReserved = Nxe ? 0 : ExecuteDisable;
        ulong table = pdpte & FrameMask;
        bool user = true;
        bool writable = true;
        bool executable = true;
        for (int shift = 21; ; shift -= 9)
        {
            ulong entryAddress = table + (((linear >> shift) & 511) * 8);
            ulong e = bus.Read(entryAddress, 8);
            if ((e & Present) == 0)
            {
                return NotPresent(kind, context, out translation, out errorCode);
            }

            ulong reserved = PaeHighReserved | nxReserved;
            bool leaf = shift == 12;
            if (shift == 21 && (e & PageSizeBit) != 0)
            {
                reserved |= Reserved2MiB;
                leaf = true;
            }

            if ((e & reserved) != 0)
            {
                return ReservedBitSet(kind, context, out translation, out errorCode);
            }

            user &= (e & UserSupervisor) != 0;
            writable &= (e & ReadWrite) != 0;
            executable &= (e & ExecuteDisable) == 0;
            if (!leaf)
            {
                SetAccessed(entryAddress, e);
                table = e & FrameMask;
                continue;
            }

            return Leaf(linear, kind, context, entryAddress, e, 1UL << shift, user, writable, executable, out translation, out errorCode);
        }
    }

    private bool Walk32(ulong linear, AccessKind kind, PrivilegeContext context, out Translation translation, out uint errorCode)
    {
        ulong pdeAddress = (Cr3 & 0xFFFF_F000) + (((linear >> 22) & 1023) * 4);
        uint pde = (uint)bus.Read(pdeAddress, 4);
        if ((pde & Present) == 0)
        {
            return NotPresent(kind, context, out translation, out errorCode);
        }

        bool user = (pde & UserSupervisor) != 0;
        bool writable = (pde & ReadWrite) != 0;
        if ((pde & PageSizeBit) != 0 && (Cr4 & Cr4Pse) != 0)
        {
            if ((pde & Reserved4MiB) != 0)
            {
                return ReservedBitSet(kind, context, out translation, out errorCode);
            }

            // PSE-36: bits 20:13 of the PDE are bits 39:32 of the page's physical address.
            ulong large = pde | ((ulong)((pde >> 13) & 0xFF) << 32);
            return Leaf(linear, kind, context, pdeAddress, large, 4UL << 20, user, writable, true, out translation, out errorCode);
        }

        SetAccessed(pdeAddress, pde);
        ulong pteAddress = (pde & 0xFFFF_F000UL) + (((linear >> 12) & 1023) * 4);
        uint pte = (uint)bus.Read(pteAddress, 4);
        if ((pte & Present) == 0)
        {
            return NotPresent(kind, context, out translation, out errorCode);
        }

        user &= (pte & UserSupervisor) != 0;
        writable &= (pte & ReadWrite) != 0;
        return Leaf(linear, kind, context, pteAddress, pte, 4096, user, writable, true, out translation, out errorCode);
    }

    /// <summary>
    /// The final step of every walk: check the access against the combined rights, then set A (and D
    /// for a write) in the leaf entry. <paramref name="entry"/> holds the page frame in its usual place.
    /// </summary>
    private bool Leaf(
        ulong linear, AccessKind kind, PrivilegeContext context, ulong entryAddress, ulong entry, ulong pageSize,
        bool user, bool writable, bool executable, out Translation translation, out uint errorCode)
    {
        bool dirty = (entry & DirtyBit) != 0;
        translation = new Translation
        {
            PhysicalAddress = (entry & FrameMask & ~(pageSize - 1)) | (linear & (pageSize - 1)),
            PageSize = pageSize,
            UserAccessible = user,
            Writable = writable,
            Executable = executable || !Nxe,
            Dirty = dirty || kind == AccessKind.Write,
            Global = (entry & GlobalBit) != 0 && (Cr4 & Cr4Pge) != 0,
            CacheDisabled = (entry & CacheDisableBit) != 0,
            WriteThrough = (entry & WriteThroughBit) != 0,
            ProtectionKey = Mode == PagingMode.FourLevel ? (int)((entry >> ProtectionKeyShift) & 0xF) : 0,
        };

        if (!PermitsByRights(translation, kind, context))
        {
            errorCode = PageFaultErrorCode.Present | AccessErrorBits(kind, context);
            translation = default;
            return false;
        }

        if (!KeyPermits(translation, kind, context))
        {
            errorCode = PageFaultErrorCode.Present | PageFaultErrorCode.ProtectionKey | AccessErrorBits(kind, context);
            translation = default;
            return false;
        }

        ulong updated = entry | Accessed | (kind == AccessKind.Write ? DirtyBit : 0);
        if (updated != entry && !inspecting)
        {
            // A and D live in the low dword of every entry format; write only that half.
            bus.Write(entryAddress, 4, (uint)updated);
        }

        errorCode = 0;
        return true;
    }

    private void SetAccessed(ulong entryAddress, ulong entry)
    {
        if ((entry & Accessed) == 0 && !inspecting)
        {
            bus.Write(entryAddress, 4, (uint)(entry | Accessed));
        }
    }

    private bool NotPresent(AccessKind kind, PrivilegeContext context, out Translation translation, out uint errorCode)
    {
        translation = default;
        errorCode = AccessErrorBits(kind, context);
        return false;
    }

    private bool ReservedBitSet(AccessKind kind, PrivilegeContext context, out Translation translation, out uint errorCode)
    {
        translation = default;
        errorCode = PageFaultErrorCode.Present | PageFaultErrorCode.ReservedBit | AccessErrorBits(kind, context);
        return false;
    }
}
