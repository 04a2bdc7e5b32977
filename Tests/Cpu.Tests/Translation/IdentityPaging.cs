using Cpu.System;
using Cpu.Tests.System;

namespace Cpu.Tests.Translation;

/// <summary>Four-level paging that identity-maps the first 2 MiB (one large page, or 4 KiB pages) and leaves the rest not present.</summary>
public static class IdentityPaging
{
    /// <summary>Builds the tables at <paramref name="pml4"/> (three pages).</summary>
    public static void Build(SystemMachine m, ulong pml4)
    {
        m.Ram.Span(pml4, 3 * 4096).Clear();
        m.Write64(pml4, (pml4 + 0x1000) | 0x3);
        m.Write64(pml4 + 0x1000, (pml4 + 0x2000) | 0x3);
        m.Write64(pml4 + 0x2000, 0x83);
    }

    /// <summary>Builds the tables at <paramref name="pml4"/> and turns paging on with them.</summary>
    public static void Enable(SystemMachine m, ulong pml4)
    {
        Build(m, pml4);
        TurnOn(m, pml4);
    }

    /// <summary>
    /// Identity-maps the first 2 MiB with 4 KiB pages instead (tables at <paramref name="pml4"/>, four pages),
    /// turns paging on, and returns the page table's address, whose entry i maps linear page i.
    /// </summary>
    public static ulong EnableWithPageTable(SystemMachine m, ulong pml4)
    {
        ulong pageTable = pml4 + 0x3000;
        m.Ram.Span(pml4, 4 * 4096).Clear();
        m.Write64(pml4, (pml4 + 0x1000) | 0x3);
        m.Write64(pml4 + 0x1000, (pml4 + 0x2000) | 0x3);
        m.Write64(pml4 + 0x2000, pageTable | 0x3);
        for (ulong i = 0; i < 512; i++)
        {
            m.Write64(pageTable + (i * 8), (i << 12) | 0x3);
        }

        TurnOn(m, pml4);
        return pageTable;
    }

    private static void TurnOn(SystemMachine m, ulong pml4)
    {
        m.State.Cr0 |= ControlRegisters.Cr0Pg;
        m.State.Cr3 = pml4;
        m.Memory.SetPagingControls(m.State.Cr0, m.State.Cr4, m.State.Efer);
        m.Memory.LoadCr3(pml4);
    }
}
