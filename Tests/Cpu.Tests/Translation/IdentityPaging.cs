using Cpu.System;
using Cpu.Tests.System;

namespace Cpu.Tests.Translation;

/// <summary>Four-level paging that identity-maps the first 2 MiB (one large page) and leaves the rest not present.</summary>
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
        m.State.Cr0 |= ControlRegisters.Cr0Pg;
        m.State.Cr3 = pml4;
        m.Memory.SetPagingControls(m.State.Cr0, m.State.Cr4, m.State.Efer);
        m.Memory.LoadCr3(pml4);
    }
}
