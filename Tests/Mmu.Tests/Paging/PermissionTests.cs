using Mmu.Paging;
using static Mmu.Tests.Paging.PageTables;

namespace Mmu.Tests.Paging;

/// <summary>
/// Every combination of U/S, R/W and XD at the leaf and at an upper level (the PDE), against user,
/// supervisor and SMAP-overridden supervisor reads, writes and fetches, under every setting of CR0.WP,
/// CR4.SMEP, CR4.SMAP and EFER.NXE. The expectation is written from the rules of Intel SDM 4.6.1.
/// </summary>
public class PermissionTests
{
    private enum Who
    {
        User,
        Supervisor,
        SupervisorWithAc,
    }

    public static TheoryData<bool, bool, bool, bool> Controls()
    {
        var data = new TheoryData<bool, bool, bool, bool>();
        foreach (bool wp in new[] { false, true })
        {
            foreach (bool smep in new[] { false, true })
            {
                foreach (bool smap in new[] { false, true })
                {
                    foreach (bool nxe in new[] { false, true })
                    {
                        data.Add(wp, smep, smap, nxe);
                    }
                }
            }
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(Controls))]
    public void EveryCombinationOfRightsGivesTheSdmOutcome(bool wp, bool smep, bool smap, bool nxe)
    {
        using var pt = new PageTables();
        ulong pml4 = pt.EnableFourLevel(
            cr0Extra: wp ? Cr0Wp : 0,
            cr4Extra: (smep ? Cr4Smep : 0) | (smap ? Cr4Smap : 0),
            eferExtra: nxe ? EferNxe : 0);

        int checkedAccesses = 0;
        for (int combo = 0; combo < 64; combo++)
        {
            bool leafUser = (combo & 1) != 0, leafWritable = (combo & 2) != 0, leafXd = (combo & 4) != 0;
            bool pdeUser = (combo & 8) != 0, pdeWritable = (combo & 16) != 0, pdeXd = (combo & 32) != 0;
            if (!nxe && (leafXd || pdeXd))
            {
                continue; // XD is a reserved bit without NXE: see ReservedBitTests
            }

            // One 2 MiB region per combination, so each has its own PDE.
            ulong linear = 0x4000_0000UL + ((ulong)combo << 21);
            var m = pt.Map(pml4, linear, 0x20_0000, P | (leafUser ? US : 0) | (leafWritable ? RW : 0) | (leafXd ? XD : 0));
            pt.Write(m.Pde, (pt.Read(m.Pde) & ~(US | RW | XD)) | (pdeUser ? US : 0) | (pdeWritable ? RW : 0) | (pdeXd ? XD : 0));

            bool userPage = leafUser && pdeUser;
            bool writable = leafWritable && pdeWritable;
            bool executeDisabled = nxe && (leafXd || pdeXd);
            foreach (Who who in Enum.GetValues<Who>())
            {
                foreach (AccessKind kind in Enum.GetValues<AccessKind>())
                {
                    bool allowed = Allowed(userPage, writable, executeDisabled, who, kind, wp, smep, smap);
                    uint expectedCode = PageFaultErrorCode.Present
                        | (kind == AccessKind.Write ? PageFaultErrorCode.Write : 0)
                        | (who == Who.User ? PageFaultErrorCode.User : 0)
                        | (kind == AccessKind.Execute && (smep || nxe) ? PageFaultErrorCode.InstructionFetch : 0);
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

        Assert.Equal(nxe ? 64 * 9 : 16 * 9, checkedAccesses);
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
