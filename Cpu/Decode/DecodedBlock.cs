using Iced.Intel;

namespace Cpu.Decode;

/// <summary>
/// A decoded guest basic block: straight-line instructions that end at a control transfer, a system
/// instruction, or the end of the page. Cached by the physical address of its first byte plus the mode
/// that decoded it; <see cref="LinearStart"/> (the RIP it starts at, an offset in CS) is kept because Iced
/// folds RIP-relative addresses and branch targets into absolute offsets, and <see cref="CodeBase"/> (CS's
/// base, 0 in 64-bit mode) because the same offset under another base is other code.
/// </summary>
public sealed class DecodedBlock
{
    public DecodedBlock(Instruction[] instructions, FastOp[] ops, int count, ulong linearStart, ulong physicalStart, int bitness, ulong codeBase)
    {
        CodeBase = codeBase;
        Instructions = instructions;
        Ops = ops;
        Count = count;
        LinearStart = linearStart;
        PhysicalStart = physicalStart;
        Bitness = bitness;
        Length = (int)(instructions[count - 1].NextIP - linearStart);
    }

    public Instruction[] Instructions { get; }

    /// <summary>The pre-decoded forms of <see cref="Instructions"/>, index for index.</summary>
    public FastOp[] Ops { get; }

    public int Count { get; }

    public ulong LinearStart { get; }

    public ulong PhysicalStart { get; }

    /// <summary>Bytes from the first instruction's first byte to the last one's last: what a write must miss to leave the block valid.</summary>
    public int Length { get; }

    /// <summary>CS's base when the block was decoded (0 in 64-bit mode): the first byte is at linear CodeBase + LinearStart.</summary>
    public ulong CodeBase { get; }

    /// <summary>16, 32 or 64: the decoder mode.</summary>
    public int Bitness { get; }

    /// <summary>The linear address of <paramref name="offset"/> in this block's code segment (32-bit wrap outside 64-bit mode).</summary>
    public ulong Linear(ulong offset) => Bitness == 64 ? offset : (uint)(CodeBase + offset);

    /// <summary>Cleared when the block's code is written; a stale block is never run again.</summary>
    public bool Valid { get; internal set; } = true;

    /// <summary>The members of the regions this block was compiled into (CPU thread only): they leave those regions when it is invalidated.</summary>
    internal List<DecodedBlock[]>? Regions;

    /// <summary>The block that ran after this one last time (a hint: whoever follows it checks it still applies).</summary>
    public DecodedBlock? Successor { get; internal set; }

    /// <summary>Physical page of the last byte (differs from the first page when an instruction crosses a page).</summary>
    public ulong LastPhysicalPage { get; internal set; }

    /// <summary>True when the first instruction's bytes run onto the next page (only a block's first instruction may).</summary>
    public bool CrossesPage => LastPhysicalPage != PhysicalStart >> 12;

    /// <summary>
    /// The linear page after the one the block starts on, wrapped to 32 bits outside 64-bit mode: where the bytes of
    /// a first instruction that crosses a page end (<see cref="CrossesPage"/>, <see cref="LastPhysicalPage"/>).
    /// </summary>
    public ulong NextPageLinear
    {
        get
        {
            ulong next = (Linear(LinearStart) & ~0xFFFUL) + 0x1000;
            return Bitness == 64 ? next : (uint)next;
        }
    }

    /// <summary>Runs so far, for the JIT's tier-up policy (counted only while the block is not compiled).</summary>
    public int Executions;

    /// <summary>The block's compiled code, published by the JIT with one reference write; dies with the block.</summary>
    public Translation.CompiledBlock? Compiled;
}
