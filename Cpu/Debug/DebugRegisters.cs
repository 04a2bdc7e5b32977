using Mmu.Watch;

namespace Cpu.Debug;

/// <summary>
/// The guest's own debug registers acting (Intel SDM Vol. 3B, 18.2): DR7 enables in DR0-DR3 instruction
/// breakpoints, data write and read/write watchpoints (through <see cref="DataWatchpoints"/>, owners 0-3)
/// and, with CR4.DE, I/O breakpoints. The values live in <see cref="System.SystemRegisters.Debug"/>; this
/// class decodes DR7 into what the run loop checks, and collects the conditions met for DR6.
/// </summary>
public sealed class DebugRegisters
{
    /// <summary>DR6 bits (SDM 18.2.3): B0-B3, BD (general detect), BS (single step), BT (task switch).</summary>
    public const ulong B0 = 1, BreakpointHits = 0xF, BD = 1UL << 13, BS = 1UL << 14, BT = 1UL << 15;

    /// <summary>DR6 bits that always read 1 (no bus-lock or RTM support) and the writable ones.</summary>
    public const ulong Dr6Fixed = 0xFFFF_0FF0, Dr6Writable = BreakpointHits | BD | BS | BT;

    /// <summary>DR7.GD (general detect) and bit 10, which reads 1; bits 11, 12, 14 and 15 read 0.</summary>
    public const ulong GeneralDetect = 1UL << 13, Dr7Fixed = 1UL << 10, Dr7Reserved = 0xD800;

    private const int RwExecute = 0, RwWrite = 1, RwIo = 2, RwAccess = 3;

    private readonly ulong[] dr;
    private readonly DataWatchpoints watchpoints;
    private readonly ulong[] execAddress = new ulong[4];
    private bool deEnabled;

    public DebugRegisters(ulong[] values, DataWatchpoints watchpoints)
    {
        dr = values;
        this.watchpoints = watchpoints;
    }

    /// <summary>True when DR7 enables anything the run loop must check (the debug path is taken).</summary>
    public bool Armed { get; private set; }

    /// <summary>Slots (bit n = DRn) armed as instruction breakpoints.</summary>
    public int ExecSlots { get; private set; }

    /// <summary>Slots armed as I/O breakpoints (R/W = 10 with CR4.DE).</summary>
    public int IoSlots { get; private set; }

    /// <summary>Slots armed as data watchpoints.</summary>
    public int DataSlots { get; private set; }

    /// <summary>B0-B3 for the I/O breakpoints the current instruction met (a trap, reported after it).</summary>
    internal ulong IoHits { get; set; }

    /// <summary>Raised when <see cref="Armed"/> may have changed.</summary>
    internal event Action? Changed;

    /// <summary>Raised after a change that leaves data watchpoints armed (compiled code must watch its reads).</summary>
    internal event Action? DataArmed;

    /// <summary>DR7.GD: the next MOV DR raises #DB (general detect) instead.</summary>
    public bool GeneralDetectArmed => (dr[7] & GeneralDetect) != 0;

    /// <summary>The value MOV DRn stores (DR4/DR5 already mapped to DR6/DR7).</summary>
    public static ulong Stored(int n, ulong value) => n switch
    {
        6 => (value & Dr6Writable) | Dr6Fixed,
        7 => (value & ~Dr7Reserved) | Dr7Fixed,
        _ => value,
    };

    public ulong Read(int n) => dr[n];

    /// <summary>Writes DRn (validated by the caller) and rearms what DR7 enables.</summary>
    public void Write(int n, ulong value)
    {
        dr[n] = Stored(n, value);
        if (n != 6)
        {
            Update();
        }
    }

    /// <summary>CR4.DE changed: R/W = 10 means I/O only with it set.</summary>
    public void SetDebuggingExtensions(bool enabled)
    {
        if (enabled != deEnabled)
        {
            deEnabled = enabled;
            Update();
        }
    }

    /// <summary>Records a #DB condition in DR6: breakpoint hits replace B0-B3, status bits are added.</summary>
    public void Report(ulong hits, ulong status)
    {
        ulong dr6 = dr[6];
        if (hits != 0)
        {
            dr6 = (dr6 & ~BreakpointHits) | hits;
        }

        dr[6] = dr6 | status;
    }

    /// <summary>B0-B3 of the instruction breakpoints at linear address <paramref name="linear"/>.</summary>
    public ulong ExecHits(ulong linear)
    {
        ulong hits = 0;
        for (int n = 0; n < 4; n++)
        {
            if ((ExecSlots & (1 << n)) != 0 && execAddress[n] == linear)
            {
                hits |= 1UL << n;
            }
        }

        return hits;
    }

    /// <summary>True when an instruction breakpoint is armed at <paramref name="linear"/>.</summary>
    public bool HasExecBreakpoint(ulong linear) => ExecSlots != 0 && ExecHits(linear) != 0;

    /// <summary>
    /// An IN/OUT/INS/OUTS of <paramref name="size"/> bytes at <paramref name="port"/> (SDM 18.2.4: any byte of
    /// the range); true when it met an I/O breakpoint (the trap follows the instruction: the block must end there).
    /// </summary>
    public bool ObservePort(ushort port, int size)
    {
        ulong before = IoHits;
        for (int n = 0; n < 4; n++)
        {
            if ((IoSlots & (1 << n)) != 0)
            {
                ulong length = Length(n);
                ulong start = dr[n] & 0xFFFF & ~(length - 1);
                if (port < start + length && start < (ulong)port + (ulong)size)
                {
                    IoHits |= 1UL << n;
                }
            }
        }

        return IoHits != before;
    }

    /// <summary>B0-B3 of the data watchpoints among <paramref name="hits"/> (owners 0-3).</summary>
    public static ulong DataHits(List<DataWatchpoint> hits)
    {
        ulong b = 0;
        foreach (DataWatchpoint w in hits)
        {
            if (w.Owner is >= 0 and < 4)
            {
                b |= 1UL << w.Owner;
            }
        }

        return b;
    }

    /// <summary>LEN: 00 = 1, 01 = 2, 10 = 8 (Intel 64), 11 = 4 bytes (SDM 18.2.4).</summary>
    private ulong Length(int n) => ((dr[7] >> (18 + (4 * n))) & 3) switch
    {
        0 => 1,
        1 => 2,
        2 => 8,
        _ => 4,
    };

    private void Update()
    {
        ulong dr7 = dr[7];
        int exec = 0, io = 0, data = 0;
        watchpoints.RemoveWhere(w => w.Owner is >= 0 and < 4);
        for (int n = 0; n < 4; n++)
        {
            if (((dr7 >> (2 * n)) & 3) == 0)
            {
                continue; // neither Ln nor Gn
            }

            int rw = (int)(dr7 >> (16 + (4 * n))) & 3;
            switch (rw)
            {
                case RwExecute:
                    exec |= 1 << n;
                    execAddress[n] = dr[n];
                    break;
                case RwIo:
                    io |= deEnabled ? 1 << n : 0; // without CR4.DE the encoding is undefined: nothing is armed
                    break;
                case RwWrite:
                case RwAccess:
                    {
                        // The address is aligned down to the length: the low bits are ignored (SDM 18.2.5).
                        ulong length = Length(n);
                        watchpoints.Add(new DataWatchpoint(dr[n] & ~(length - 1), length, rw == RwWrite ? WatchKind.Write : WatchKind.Access, n));
                        data |= 1 << n;
                        break;
                    }
            }
        }

        ExecSlots = exec;
        IoSlots = io;
        DataSlots = data;
        Armed = (exec | io | data) != 0;
        Changed?.Invoke();
        if (data != 0)
        {
            DataArmed?.Invoke();
        }
    }
}
