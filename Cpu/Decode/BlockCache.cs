using Cpu.Execution;
using Cpu.Instructions;
using Iced.Intel;
using Mmu;
using Mmu.Paging;

namespace Cpu.Decode;

/// <summary>
/// Decoded blocks by physical start address and decoder mode, with a direct-mapped lookaside in front of
/// the dictionary. The bytes of cached blocks are marked in <see cref="LinearMemory"/>; a write that
/// overlaps some invalidates the blocks whose bytes it overlaps (<see cref="InvalidateWritten"/>), and a
/// write to data beside them on the same page invalidates nothing.
/// </summary>
public sealed class BlockCache
{
    /// <summary>Longest block decoded (instructions).</summary>
    public const int MaxBlockInstructions = 64;

    private const int LookasideSize = 4096;

    private readonly LinearMemory memory;
    private readonly CpuCounters counters;
    private readonly Dictionary<ulong, DecodedBlock> blocks = new();
    private readonly Dictionary<ulong, List<DecodedBlock>> blocksByPage = new();
    private readonly DecodedBlock?[] lookaside = new DecodedBlock?[LookasideSize];
    private readonly GuestCodeReader reader;
    private readonly Decoder decoder16;
    private readonly Decoder decoder32;
    private readonly Decoder decoder64;
    private readonly Instruction[] scratch = new Instruction[MaxBlockInstructions];
    private DecodedBlock? last;

    public BlockCache(LinearMemory memory, CpuCounters counters)
    {
        this.memory = memory;
        this.counters = counters;
        reader = new GuestCodeReader(memory);
        decoder16 = Decoder.Create(16, reader);
        decoder32 = Decoder.Create(32, reader);
        decoder64 = Decoder.Create(64, reader);
        memory.CodeWritten += InvalidateWritten;
    }

    /// <summary>Raised after blocks were invalidated (the processor leaves the running block).</summary>
    public event Action? Invalidated;

    /// <summary>Number of blocks currently cached.</summary>
    public int Count => blocks.Count;

    /// <summary>
    /// Finds or decodes the block at CS:<paramref name="rip"/> (<paramref name="codeBase"/> is CS's base, 0 in
    /// 64-bit mode); throws <see cref="PageFaultException"/> if its first byte cannot be fetched, and
    /// <see cref="CpuException"/> #GP(0) if its first instruction runs past <paramref name="codeLimit"/> (outside
    /// 64-bit mode). A block decoded under one limit is not checked again under a smaller one for the same code.
    /// </summary>
    public DecodedBlock Get(ulong rip, int bitness, ulong codeBase, uint codeLimit = uint.MaxValue)
    {
        ulong linear = bitness == 64 ? rip : (uint)(codeBase + rip);
        ulong physical = memory.Translate(linear, AccessKind.Execute, memory.UserMode);

        // A loop runs the same block again: check the last one before the lookaside.
        DecodedBlock? b = last;
        if (b is not null && b.LinearStart == rip && b.PhysicalStart == physical && b.Bitness == bitness && b.CodeBase == codeBase && b.Valid &&
            NextPageHolds(b))
        {
            return b;
        }

        int slot = (int)((linear ^ (linear >> 12)) & (LookasideSize - 1));
        b = lookaside[slot];
        if (b is not null && b.LinearStart == rip && b.PhysicalStart == physical && b.Bitness == bitness && b.CodeBase == codeBase && b.Valid &&
            NextPageHolds(b))
        {
            last = b;
            return b;
        }

        ulong key = (physical << 2) | (uint)(bitness >> 5);
        if (!blocks.TryGetValue(key, out b) || b.LinearStart != rip || b.CodeBase != codeBase || !b.Valid || !NextPageHolds(b))
        {
            b = Decode(rip, physical, bitness, codeBase, codeLimit);
            blocks[key] = b;
        }

        lookaside[slot] = b;
        last = b;
        return b;
    }

    /// <summary>
    /// True when <paramref name="b"/> lies on one page, or the next linear page still maps the physical page its
    /// first instruction was decoded from: a remapped next page must not run the old bytes. The translation may
    /// raise #PF, as the fetch of that instruction does.
    /// </summary>
    private bool NextPageHolds(DecodedBlock b) =>
        !b.CrossesPage || memory.Translate(b.NextPageLinear, AccessKind.Execute, memory.UserMode) >> 12 == b.LastPhysicalPage;

    /// <summary>
    /// The cached, valid block that starts at <paramref name="rip"/> in a code segment based at
    /// <paramref name="codeBase"/>, at <paramref name="physical"/> (its current translation, known to the caller),
    /// decoded in <paramref name="bitness"/>; null when there is none (nothing is decoded). Used by the JIT to chain blocks.
    /// </summary>
    public DecodedBlock? Find(ulong rip, ulong physical, int bitness, ulong codeBase)
    {
        ulong key = (physical << 2) | (uint)(bitness >> 5);
        return blocks.TryGetValue(key, out DecodedBlock? b) && b.LinearStart == rip && b.CodeBase == codeBase && b.Valid ? b : null;
    }

    /// <summary>Drops every block that has code on the physical page <paramref name="physicalPage"/>.</summary>
    public void InvalidatePage(ulong physicalPage) => InvalidateWritten(physicalPage << 12, 4096);

    /// <summary>
    /// Drops the blocks whose bytes overlap the <paramref name="length"/> bytes written at
    /// <paramref name="physicalAddress"/> (all on one page), and marks the page's code bytes again from the
    /// blocks that stay. Raises <see cref="Invalidated"/> only when a block was dropped.
    /// </summary>
    public void InvalidateWritten(ulong physicalAddress, int length)
    {
        ulong page = physicalAddress >> 12;
        if (!blocksByPage.TryGetValue(page, out var list))
        {
            return;
        }

        ulong end = physicalAddress + (ulong)length;
        bool dropped = false;
        foreach (var b in list)
        {
            if (b.Valid && Overlaps(b, page, physicalAddress, end))
            {
                Drop(b);
                dropped = true;
            }
        }

        if (!dropped)
        {
            return;
        }

        list.RemoveAll(b => !b.Valid);
        if (list.Count == 0)
        {
            blocksByPage.Remove(page);
            memory.UnmarkCodePage(page);
        }
        else
        {
            memory.ClearCodeBytes(page);
            foreach (var b in list)
            {
                MarkBytes(b, page);
            }
        }

        Invalidated?.Invoke();
    }

    private void Drop(DecodedBlock b)
    {
        b.Valid = false;
        b.Compiled?.Discard();
        Translation.CompiledBlock.LeaveRegions(b);
        counters.BlocksInvalidated++;
        ulong key = (b.PhysicalStart << 2) | (uint)(b.Bitness >> 5);
        if (blocks.TryGetValue(key, out var cached) && ReferenceEquals(cached, b))
        {
            blocks.Remove(key);
        }
    }

    /// <summary>The physical bytes of <paramref name="b"/> on <paramref name="page"/>: [start, end).</summary>
    private static (ulong Start, ulong End) BytesOn(DecodedBlock b, ulong page)
    {
        ulong pageStart = page << 12;
        if ((b.PhysicalStart >> 12) == page)
        {
            return (b.PhysicalStart, Math.Min(b.PhysicalStart + (ulong)b.Length, pageStart + 4096));
        }

        // The block's last instruction crosses onto this page: its bytes here start at the page's start.
        ulong onFirstPage = 4096 - (b.PhysicalStart & 0xFFF);
        return (pageStart, pageStart + ((ulong)b.Length - onFirstPage));
    }

    private static bool Overlaps(DecodedBlock b, ulong page, ulong start, ulong end)
    {
        (ulong bStart, ulong bEnd) = BytesOn(b, page);
        return start < bEnd && bStart < end;
    }

    private void MarkBytes(DecodedBlock b, ulong page)
    {
        (ulong start, ulong end) = BytesOn(b, page);
        memory.MarkCodeBytes(start, (int)(end - start));
    }

    /// <summary>Drops all blocks (for example when the machine resets).</summary>
    public void Clear()
    {
        foreach (var page in blocksByPage.Keys)
        {
            memory.UnmarkCodePage(page);
        }

        foreach (var b in blocks.Values)
        {
            b.Valid = false;
        }

        blocks.Clear();
        blocksByPage.Clear();
        Array.Clear(lookaside);
        last = null;
    }

    private DecodedBlock Decode(ulong rip, ulong physical, int bitness, ulong codeBase, uint codeLimit)
    {
        Decoder decoder = bitness == 64 ? decoder64 : bitness == 32 ? decoder32 : decoder16;
        reader.CodeBase = codeBase;
        reader.Wrap32 = bitness != 64;

        // The offset at which the linear page of the first byte ends, or CS's limit does (the block stops there,
        // and the next block's start is checked against the limit).
        ulong segmentEnd = bitness == 64 ? ulong.MaxValue : (ulong)codeLimit + 1;
        ulong pageEnd = Math.Min(rip + 0x1000 - (reader.Linear(rip) & 0xFFF), segmentEnd);
        reader.Address = rip;
        reader.Fault = null;

        // An instruction may cross into the next page only as the first of its block, so that every
        // other instruction of a block lies on the block's first page.
        reader.Limit = rip + 15;
        decoder.IP = rip;
        int count = 0;
        ulong lastByte = rip;
        while (count < MaxBlockInstructions)
        {
            ulong start = decoder.IP;
            reader.Address = start;
            reader.Limit = count == 0 ? Math.Min(start + 15, segmentEnd) : pageEnd;
            reader.Fault = null;
            decoder.Decode(out scratch[count]);
            ref Instruction ins = ref scratch[count];
            if (ins.IsInvalid && decoder.LastError == DecoderError.NoMoreBytes)
            {
                if (count == 0)
                {
                    if (reader.Fault is not null)
                    {
                        throw reader.Fault;
                    }

                    if (reader.Address >= segmentEnd)
                    {
                        throw CpuException.GeneralProtection(); // the instruction runs past CS's limit (SDM Vol. 3A 5.3)
                    }
                }
                else
                {
                    break;
                }
            }

            if (count > 0 && ins.NextIP > pageEnd)
            {
                break;
            }

            lastByte = ins.NextIP - 1;
            count++;
            if (InstructionTable.EndsBlock(ins) || decoder.IP >= pageEnd)
            {
                break;
            }
        }

        var instructions = new Instruction[count];
        Array.Copy(scratch, instructions, count);
        var ops = new FastOp[count];
        for (int i = 0; i < count; i++)
        {
            ops[i] = FastOpBuilder.Build(instructions[i], bitness);
        }

        FastOpBuilder.Fuse(ops, count);

        var block = new DecodedBlock(instructions, ops, count, rip, physical, bitness, codeBase);
        ulong firstPage = physical >> 12;
        ulong lastPage = lastByte >= pageEnd ? memory.Translate(reader.Linear(lastByte), AccessKind.Execute, memory.UserMode) >> 12 : firstPage;
        block.LastPhysicalPage = lastPage;
        Register(block, firstPage);
        if (lastPage != firstPage)
        {
            Register(block, lastPage);
        }

        counters.BlocksDecoded++;
        return block;
    }

    private void Register(DecodedBlock block, ulong page)
    {
        if (!blocksByPage.TryGetValue(page, out var list))
        {
            list = new List<DecodedBlock>();
            blocksByPage[page] = list;
        }

        list.Add(block);
        MarkBytes(block, page);
    }
}
