using Mmu.Paging;
using static Mmu.Tests.Paging.PageTables;

namespace Mmu.Tests.Paging;

/// <summary>
/// Every combination of U/S, R/W and XD at the leaf and at an upper level (the PDE), against user,
/// supervisor and SMAP-overridden supervisor reads, writes and fetches, under every setting of CR0.WP,
/// CR4.SMEP, CR4.SMAP and EFER.NXE, in 4-level, PAE and 32-bit paging. The expectation is written
/// from the rules of Intel SDM 4.6.1.
/// </summary>
public class PermissionTests
{
    private enum Who
    {
        User,
        Supervisor,
        SupervisorWithAc,
    }

    public static TheoryData<PagingMode, bool, bool, bool, bool> Controls()
    {
        var data = new TheoryData<PagingMode, bool, bool, bool, bool>();
        foreach (PagingMode mode in new[] { PagingMode.FourLevel, PagingMode.Pae, PagingMode.Bits32 })
        {
            foreach (bool wp in new[] { false, true })
            {
                foreach (bool smep in new[] { false, true })
                {
                    foreach (bool smap in new[] { false, true })
                    {
                        foreach (bool nxe in new[] { false, true })
                        {
                            data.Add(mode, wp, smep, smap, nxe);
                        }
                    }
                }
            }
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(Controls))]
    public void EveryCombinationOfRightsGivesTheSdmOutcome(PagingMode mode, bool wp, bool smep, bool smap, bool nxe)
    {
        using var pt = new PageTables(16 * 1024 * 1024);
        ulong cr0 = wp ? Cr0Wp : 0;
        ulong cr4 = (smep ? Cr4Smep : 0) | (smap ? Cr4Smap : 0);
        ulong efer = nxe ? EferNxe : 0;
        ulong root = mode switch
        {
            PagingMode.FourLevel => pt.EnableFourLevel(cr0, cr4, efer),
            PagingMode.Pae => pt.EnablePae(cr0, cr4, efer),
            _ => pt.EnableBits32(cr0, cr4, efer),
        };

        // 32-bit paging has no XD bit; PAE and 4-level paging have it with NXE (else it is reserved).
        bool hasXd = mode != PagingMode.Bits32 && nxe;

        int checkedAccesses = 0;
        for (int combo = 0; combo < 64; combo++)
        {
            bool leafUser = (combo & 1) != 0, leafWritable = (combo & 2) != 0, leafXd = (combo & 4) != 0;
            bool pdeUser = (combo & 8) != 0, pdeWritable = (combo & 16) != 0, pdeXd = (combo & 32) != 0;
            if (!hasXd && (leafXd || pdeXd))
            {
                continue; // XD is a reserved bit without NXE (FaultTests) and does not exist in 32-bit paging
            }

            // One 4 MiB region per combination, so each has its own PDE in every mode.
            ulong linear = 0x4000_0000UL + ((ulong)combo << 22);
            ulong leaf = P | (leafUser ? US : 0) | (leafWritable ? RW : 0) | (leafXd ? XD : 0);
            ulong upper = P | (pdeUser ? US : 0) | (pdeWritable ? RW : 0) | (pdeXd ? XD : 0);
            if (mode == PagingMode.FourLevel)
            {
                var m = pt.Map(root, linear, 0x20_0000, leaf);
                pt.Write(m.Pde, (pt.Read(m.Pde) & ~(US | RW | XD)) | upper);
            }
            else if (mode == PagingMode.Pae)
            {
                pt.MapPae(root, linear, 0x20_0000, leaf, upper);
            }
            else
            {
                pt.MapBits32(root, linear, 0x20_0000, leaf, upper);
            }

            bool userPage = leafUser && pdeUser;
            bool writable = leafWritable && pdeWritable;
            bool executeDisabled = leafXd || pdeXd;
            foreach (Who who in Enum.GetValues<Who>())
            {
                foreach (AccessKind kind in Enum.GetValues<AccessKind>())
                {
                    bool allowed = Allowed(userPage, writable, executeDisabled, who, kind, wp, smep, smap);
                    uint expectedCode = PageFaultErrorCode.Present
                        | (kind == AccessKind.Write ? PageFaultErrorCode.Write : 0)
                        | (who == Who.User ? PageFaultErrorCode.User : 0)
                        | (kind == AccessKind.Execute && (smep || (nxe && mode != PagingMode.Bits32)) ? PageFaultErrorCode.InstructionFetch : 0);
                    pt.Memory.UserMode = who == Who.User;
                    pt.Memory.AlignmentCheck = who == Who.SupervisorWithAc;
                    string what = $"combo {combo} (leaf U{leafUser} W{leafWritable} XD{leafXd}, pde U{pdeUser} W{pdeWritable} XD{pdeXd}) {who} {kind}";
                    try
                    {
                        ulong pa = pt.Memory.Translate(linear + 0x123, kind, who == Who.User);
                        Assert.True(allowed, $"{what}: allowed, expected #PF");
                        Assert.Equal(0x20_0123UL, pa);
                    }
                    catch (PageFaultException f)
                    {
                        Assert.False(allowed, $"{what}: #PF {f.ErrorCode:X}, expected success");
                        Assert.Equal(linear + 0x123, f.LinearAddress);
                        Assert.True(expectedCode == f.ErrorCode, $"{what}: error code {f.ErrorCode:X}, expected {expectedCode:X}");
                    }

                    checkedAccesses++;
                }
            }
        }

        Assert.Equal(hasXd ? 64 * 9 : 16 * 9, checkedAccesses);
    }

    [Fact]
    public void SmapBlocksImplicitSupervisorAccessesEvenWithAc()
    {
        using var pt = new PageTables();
        ulong pml4 = pt.EnableFourLevel(cr4Extra: Cr4Smap);
        pt.Map(pml4, 0x40_0000, 0x20_0000, P | RW | US);
        pt.Memory.AlignmentCheck = true;
        Assert.Equal(0UL, pt.Memory.Read64(0x40_0000)); // explicit, AC = 1: allowed
        var f = Assert.Throws<PageFaultException>(() => pt.Memory.ReadSystem(0x40_0000, 8));
        Assert.Equal(PageFaultErrorCode.Present, f.ErrorCode);
        var w = Assert.Throws<PageFaultException>(() => pt.Memory.WriteSystem(0x40_0000, 4, 1));
        Assert.Equal(PageFaultErrorCode.Present | PageFaultErrorCode.Write, w.ErrorCode);
        pt.Memory.AlignmentCheck = false;
        Assert.Throws<PageFaultException>(() => pt.Memory.Read64(0x40_0000));
    }

    [Fact]
    public void ImplicitAccessesAtCpl3AreSupervisorAccesses()
    {
        using var pt = new PageTables();
        ulong pml4 = pt.EnableFourLevel();
        pt.Map(pml4, 0x40_0000, 0x20_0000, P | RW); // supervisor page, like a GDT
        pt.Memory.UserMode = true;
        pt.Memory.WriteSystem(0x40_0008, 8, 0xAB);
        Assert.Equal(0xABUL, pt.Memory.ReadSystem(0x40_0008, 8));
        var f = Assert.Throws<PageFaultException>(() => pt.Memory.Read64(0x40_0008));
        Assert.Equal(PageFaultErrorCode.Present | PageFaultErrorCode.User, f.ErrorCode);
    }

    /// <summary>Intel SDM 4.6.1, written out rule by rule.</summary>
    private static bool Allowed(bool userPage, bool writable, bool executeDisabled, Who who, AccessKind kind, bool wp, bool smep, bool smap)
    {
        if (who == Who.User)
        {
            // User-mode accesses: only user-mode addresses; writes need R/W = 1 everywhere (WP irrelevant);
            // fetches need XD = 0 everywhere.
            return userPage && kind switch
            {
                AccessKind.Read => true,
                AccessKind.Write => writable,
                _ => !executeDisabled,
            };
        }

        switch (kind)
        {
            case AccessKind.Execute:
                // Supervisor fetches: XD forbids; SMEP forbids fetching from user-mode addresses.
                return !executeDisabled && !(userPage && smep);
            case AccessKind.Read:
                // Supervisor reads of user-mode addresses: SMAP forbids unless explicit with AC = 1.
                return !(userPage && smap && who != Who.SupervisorWithAc);
            default:
                if (userPage && smap && who != Who.SupervisorWithAc)
                {
                    return false;
                }

                // Supervisor writes: with WP = 0 any address; with WP = 1 only R/W = 1 addresses.
                return !wp || writable;
        }
    }
}
