using Cpu.System;
using Cpu.Translation;

namespace Cpu.Tests.Fuzz;

/// <summary>
/// One fuzz stream and the machine it runs on, all drawn from <see cref="Seed"/>: the mode and CPL, random
/// control-register bits, EFER.SCE/NXE, paging and page rights (where optional), RFLAGS (arithmetic flags, DF,
/// IOPL, AC, TF, IF), the general registers (mostly pointers into the data area), IDT gate DPLs and types, the
/// TSS I/O permission bitmap, a few random GDT descriptors, the JIT tier and the code bytes themselves.
/// </summary>
public sealed class FuzzScenario
{
    public const int MinCodeBytes = 1;
    public const int MaxCodeBytes = 256;

    private FuzzScenario(int seed)
    {
        Seed = seed;
        var rng = new Random(seed);
        Mode = (FuzzMode)rng.Next(5);
        Cpl = Mode == FuzzMode.Real ? 0 : rng.Next(2) * 3;
        Cr0Extra = Pick(rng, ControlRegisters.Cr0Mp, 2) | Pick(rng, ControlRegisters.Cr0Em, 5) | Pick(rng, ControlRegisters.Cr0Ts, 5)
            | Pick(rng, ControlRegisters.Cr0Ne, 2) | Pick(rng, ControlRegisters.Cr0Wp, 2) | Pick(rng, 1UL << 18 /* AM */, 3);
        Cr4 = Pick(rng, ControlRegisters.Cr4Tsd, 4) | Pick(rng, ControlRegisters.Cr4De, 3) | Pick(rng, ControlRegisters.Cr4Pce, 3)
            | Pick(rng, ControlRegisters.Cr4Osfxsr, 2, 3) | Pick(rng, ControlRegisters.Cr4Osxmmexcpt, 2, 3) | Pick(rng, ControlRegisters.Cr4Umip, 4)
            | Pick(rng, ControlRegisters.Cr4FsGsBase, 2) | Pick(rng, ControlRegisters.Cr4Smep, 4) | Pick(rng, ControlRegisters.Cr4Smap, 4)
            | Pick(rng, ControlRegisters.Cr4Pge, 3) | Pick(rng, ControlRegisters.Cr4Osxsave, 3);
        Paging = Mode is FuzzMode.Compatibility or FuzzMode.Long || (Mode != FuzzMode.Real && rng.Next(2) == 0);
        if (Mode is FuzzMode.Compatibility or FuzzMode.Long)
        {
            Cr4 |= ControlRegisters.Cr4Pae | Pick(rng, ControlRegisters.Cr4Pke, 3);
        }
        else if (Paging)
        {
            Cr4 |= Pick(rng, ControlRegisters.Cr4Pse, 2);
        }

        Syscall = rng.Next(2) == 0;
        NoExecute = Paging && Mode is FuzzMode.Compatibility or FuzzMode.Long && rng.Next(2) == 0;
        ulong flags = (ulong)rng.Next() & 0x8D5; // CF PF AF ZF SF OF
        flags |= Pick(rng, 1UL << 10 /* DF */, 3) | ((ulong)rng.Next(4) << 12 /* IOPL */) | Pick(rng, 1UL << 18 /* AC */, 3)
            | Pick(rng, 1UL << 8 /* TF */, 10) | Pick(rng, 1UL << 9 /* IF */, 2);
        Rflags = flags | 2;
        for (int i = 0; i < Gpr.Length; i++)
        {
            Gpr[i] = rng.Next(4) switch
            {
                0 => (ulong)rng.NextInt64(),
                1 => (ulong)rng.Next(256),
                _ => FuzzLayout.Data + (ulong)rng.Next(FuzzLayout.DataSize),
            };
        }

        GateDpl = new byte[256];
        GateTrap = new bool[256];
        for (int v = 0; v < 256; v++)
        {
            GateDpl[v] = (byte)(rng.Next(2) * 3);
            GateTrap[v] = rng.Next(4) == 0;
        }

        IoBitmap = new byte[FuzzLayout.IoBitmapBytes];
        for (int i = 0; i < IoBitmap.Length; i++)
        {
            IoBitmap[i] = rng.Next(10) < 7 ? (byte)0xFF : (byte)rng.Next(256);
        }

        RandomDescriptors = new ulong[FuzzLayout.RandomDescriptorCount];
        for (int i = 0; i < RandomDescriptors.Length; i++)
        {
            RandomDescriptors[i] = (ulong)rng.NextInt64() | (rng.Next(2) == 0 ? 1UL << 47 : 0);
        }

        PageRights = new byte[FuzzLayout.RamSize / 4096];
        for (int p = 0; p < PageRights.Length; p++)
        {
            PageRights[p] = p >= FuzzLayout.FirstUserPage && rng.Next(8) == 0 ? (byte)rng.Next(8) : (byte)0;
        }

        Code = new byte[rng.Next(MinCodeBytes, MaxCodeBytes + 1)];
        rng.NextBytes(Code);
        DataSeed = rng.Next();

        // Drawn apart from the rest, so that adding it left every other choice of a seed as it was.
        FirstTier = new Random(~seed).Next(8) == 0 ? CompileTier.Optimized : CompileTier.Quick;
    }

    public int Seed { get; }

    public FuzzMode Mode { get; }

    public int Cpl { get; }

    /// <summary>CR0 bits besides PE/PG/ET: MP, EM, TS, NE, WP, AM.</summary>
    public ulong Cr0Extra { get; }

    public ulong Cr4 { get; }

    public bool Paging { get; }

    /// <summary>EFER.SCE.</summary>
    public bool Syscall { get; }

    /// <summary>EFER.NXE.</summary>
    public bool NoExecute { get; }

    public ulong Rflags { get; }

    public ulong[] Gpr { get; } = new ulong[16];

    public byte[] GateDpl { get; }

    /// <summary>Trap gate (IF left set) rather than interrupt gate, per vector.</summary>
    public bool[] GateTrap { get; }

    public byte[] IoBitmap { get; }

    public ulong[] RandomDescriptors { get; }

    /// <summary>Per page of RAM: 0, or bits that take rights away (1 read-only, 2 supervisor, 4 no-execute).</summary>
    public byte[] PageRights { get; }

    public byte[] Code { get; }

    /// <summary>The tier the JIT compiles blocks at: one stream in eight runs optimized (inlined) code.</summary>
    public CompileTier FirstTier { get; }

    /// <summary>Seeds the data area's random bytes.</summary>
    public int DataSeed { get; }

    public static FuzzScenario FromSeed(int seed) => new(seed);

    public override string ToString() =>
        $"seed {Seed}: {Mode} CPL {Cpl}, CR0+0x{Cr0Extra:X} CR4 0x{Cr4:X} paging {Paging} NXE {NoExecute}, JIT {FirstTier}, RFLAGS 0x{Rflags:X}, code {Convert.ToHexString(Code)}";

    /// <summary><paramref name="bit"/> with probability <paramref name="times"/> in <paramref name="outOf"/>.</summary>
    private static ulong Pick(Random rng, ulong bit, int outOf, int times = 1) => rng.Next(outOf) < times ? bit : 0;
}
