using Cpu.Decode;
using Iced.Intel;

namespace Cpu.Translation;

/// <summary>
/// Chooses the blocks compiled together with a hot block as one method (a region), so that a loop of several
/// blocks (an if/else in its body, a call to a small function) runs without returning to the dispatcher between
/// them and RyuJIT keeps its guest registers in host registers throughout. QEMU compiles one block at a time.
/// Members are found from the head along direct branches, fall-throughs, calls and their return addresses, and the
/// targets RETs and indirect branches were seen to take (their links), and are blocks already compiled
/// whole (so hot, and translatable): on the head's page (one linear page maps one physical page, so a member
/// reached by a branch inside the method is the code mapped at its address), in the head's mode, not ending
/// at a system instruction, in no other region. A region is formed only when the head lies on a loop inside it; once
/// compiled, the region is entered from whichever member execution reaches.
/// </summary>
public static class RegionFormer
{
    /// <summary>Most blocks in one region.</summary>
    public const int MaxMembers = 32;

    /// <summary>Most guest instructions in one region (its compile time grows with them).</summary>
    public const int MaxInstructions = 300;

    /// <summary>The region headed by <paramref name="head"/>, or null when it heads none.</summary>
    public static Region? Form(Processor cpu, DecodedBlock head)
    {
        if (!MayJoin(head))
        {
            return null;
        }

        var members = new List<DecodedBlock> { head };
        int instructions = head.Count;
        bool loops = false;
        for (int next = 0; next < members.Count; next++)
        {
            foreach (ulong target in Successors(members[next]))
            {
                if (target == head.LinearStart)
                {
                    loops = true;
                    continue;
                }

                if (members.Count == MaxMembers || members.Exists(m => m.LinearStart == target) ||
                    BlockAt(cpu, head, target) is not { } candidate || instructions + candidate.Count > MaxInstructions)
                {
                    continue;
                }

                members.Add(candidate);
                instructions += candidate.Count;
            }
        }

        if (!loops || members.Count == 1)
        {
            return null;
        }

        ulong[] starts = [.. members.Select(m => m.LinearStart)];
        ulong[] returnSites = [.. members.Where(IsCall).Select(m => m.Instructions[m.Count - 1].NextIP).Where(starts.Contains)];
        ulong[][] indirect = [.. members.Select(m => IndirectTargets(m, starts, returnSites))];
        DecodedBlock[] taken = [.. members];
        CompiledBlock.ClaimRegion(taken);
        return new Region(taken, indirect);
    }

    /// <summary>The member starts that <paramref name="b"/>'s RET or indirect branch may go to, as far as is known.</summary>
    private static ulong[] IndirectTargets(DecodedBlock b, ulong[] starts, ulong[] returnSites)
    {
        Instruction last = b.Instructions[b.Count - 1];
        InstructionForm form = TranslationFrontEnd.Classify(last);
        if (form is not (InstructionForm.Return or InstructionForm.CallSemantics))
        {
            return [];
        }

        IEnumerable<ulong> seen = Links(b).Where(starts.Contains);
        return [.. (form == InstructionForm.Return ? seen.Concat(returnSites) : seen).Distinct()];
    }

    private static bool IsCall(DecodedBlock b) =>
        b.Instructions[b.Count - 1].Mnemonic == Mnemonic.Call;

    /// <summary>Where execution was seen to go from the end of <paramref name="b"/> (its compiled code's links).</summary>
    private static IEnumerable<ulong> Links(DecodedBlock b)
    {
        CompiledBlock? compiled = Volatile.Read(ref b.Compiled);
        foreach (DecodedBlock? link in new[] { compiled?.FirstLink, compiled?.SecondLink })
        {
            if (link is { Valid: true })
            {
                yield return link.LinearStart;
            }
        }
    }

    /// <summary>The direct successors of a member: where a direct branch or call goes, where it falls through, and a call's return address.</summary>
    private static IEnumerable<ulong> Successors(DecodedBlock b)
    {
        Instruction last = b.Instructions[b.Count - 1];
        switch (TranslationFrontEnd.Classify(last))
        {
            case InstructionForm.ConditionalJump:
                yield return last.NearBranchTarget;
                yield return last.NextIP;
                break;
            case InstructionForm.Jump:
                yield return last.NearBranchTarget;
                break;
            case InstructionForm.Call:
                // And where the callee's RET comes back to: a return into a member stays in the method.
                yield return last.NearBranchTarget;
                yield return last.NextIP;
                break;
            case InstructionForm.Return or InstructionForm.CallSemantics:
                // Where a RET or an indirect branch was seen to go, and where an indirect call returns to.
                foreach (ulong seen in Links(b))
                {
                    yield return seen;
                }

                if (last.Mnemonic == Mnemonic.Call)
                {
                    yield return last.NextIP;
                }

                break;
            default:
                yield return last.NextIP;
                break;
        }
    }

    /// <summary>The cached block at <paramref name="rip"/> on <paramref name="head"/>'s page, when it may join the region.</summary>
    private static DecodedBlock? BlockAt(Processor cpu, DecodedBlock head, ulong rip)
    {
        ulong linear = head.Linear(rip);
        if (((linear ^ head.Linear(head.LinearStart)) & ~0xFFFUL) != 0)
        {
            return null;
        }

        ulong physical = (head.PhysicalStart & ~0xFFFUL) | (linear & 0xFFF);
        DecodedBlock? b = cpu.Blocks.Find(rip, physical, head.Bitness, head.CodeBase);
        return b is not null && MayJoin(b) ? b : null;
    }

    /// <summary>
    /// Compiled whole and hot, on one page, not ending at an instruction after which the dispatcher must look, and in
    /// no region yet (nor in one being compiled): regions do not overlap, since every member enters its region (one copy
    /// of a loop, not one per block).
    /// </summary>
    private static bool MayJoin(DecodedBlock b) =>
        b.Valid && !b.CrossesPage && !CompiledBlock.InRegion(b) && Volatile.Read(ref b.Compiled) is { Code: not null } compiled &&
        compiled.Count == b.Count && !compiled.EndsAtSystemInstruction;
}
