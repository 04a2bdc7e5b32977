using System.Reflection.Emit;
using Iced.Intel;
using Label = System.Reflection.Emit.Label;

namespace Cpu.Translation;

// BlockEmitter, part: Block control: exits, the loop back edge, fault points, and the semantic-method call that may leave.
public sealed partial class BlockEmitter
{
    /// <summary>Leaves the method with RIP at <paramref name="rip"/> and <paramref name="completed"/> more instructions done.</summary>
    private void EmitExit(ulong rip, int completed)
    {
        il.Emit(OpCodes.Ldloc, state);
        il.Emit(OpCodes.Ldc_I8, (long)rip);
        il.Emit(OpCodes.Stfld, Rip);
        EmitCompleted(completed);
    }

    /// <summary>Leaves the method (RIP already set) with <paramref name="completed"/> more instructions done.</summary>
    private void EmitCompleted(int completed)
    {
        EmitRegionPosition(completed);
        il.Emit(OpCodes.Ldloc, done);
        il.Emit(OpCodes.Ldc_I8, (long)completed);
        il.Emit(OpCodes.Add);
        il.Emit(OpCodes.Stloc, returned);
        il.Emit(OpCodes.Br, end);
    }

    /// <summary>In a region, stores which member and instruction execution is at (<see cref="Processor.CompiledRegionPosition"/>).</summary>
    private void EmitRegionPosition(int at)
    {
        if (IsRegion)
        {
            il.Emit(OpCodes.Ldarg_1);
            il.Emit(OpCodes.Ldc_I4, (member << 16) | at);
            il.Emit(OpCodes.Stfld, RegionPosition);
        }
    }

    /// <summary>The member that starts at <paramref name="rip"/> and is emitted whole, or -1.</summary>
    private int MemberAt(ulong rip)
    {
        for (int k = 0; k < members.Length; k++)
        {
            if (members[k].LinearStart == rip && counts[k] == members[k].Count)
            {
                return k;
            }
        }

        return -1;
    }

    /// <summary>
    /// In a region, where a RET or an indirect branch ends the member: when the target (pushed by
    /// <paramref name="pushTarget"/>) is a member it was seen to go to, or for a RET the return address of a call in
    /// the region, go on there as at a direct branch; otherwise fall through to the exit.
    /// </summary>
    private void EmitIndirectGoTo(Action pushTarget)
    {
        foreach (ulong start in indirectTargets?[member] ?? [])
        {
            Label other = il.DefineLabel();
            pushTarget();
            il.Emit(OpCodes.Ldc_I8, (long)start);
            il.Emit(OpCodes.Bne_Un, other);
            EmitGoTo(start);
            il.MarkLabel(other);
        }
    }

    /// <summary>
    /// The end of the selected member, going on at <paramref name="rip"/>: a branch to the member that starts there
    /// while the budget and the passes last and nothing (a stop request, a write to code) wants the dispatcher;
    /// otherwise the method leaves. A branch to this member or an earlier one is a back edge: it counts a pass.
    /// </summary>
    private void EmitGoTo(ulong rip)
    {
        int target = MemberAt(rip);
        if (target < 0)
        {
            EmitExit(rip, count);
            return;
        }

        // No write-back here: a member starts with every register the method writes taken as changed.
        Label leave = il.DefineLabel();
        il.Emit(OpCodes.Ldloc, done);
        il.Emit(OpCodes.Ldc_I8, (long)count);
        il.Emit(OpCodes.Add);
        il.Emit(OpCodes.Stloc, done);
        if (target <= member)
        {
            il.Emit(OpCodes.Ldloc, passes);
            il.Emit(OpCodes.Ldc_I4_1);
            il.Emit(OpCodes.Sub);
            il.Emit(OpCodes.Dup);
            il.Emit(OpCodes.Stloc, passes);
            il.Emit(OpCodes.Brfalse, leave);
            il.Emit(OpCodes.Ldarg_1);
            il.Emit(OpCodes.Call, MustLeave);
            il.Emit(OpCodes.Brtrue, leave);
        }

        if (IsRegion)
        {
            // A lone block's passes fold the budget in; a region's paths differ in length.
            il.Emit(OpCodes.Ldloc, done);
            il.Emit(OpCodes.Ldc_I8, (long)counts[target]);
            il.Emit(OpCodes.Add);
            il.Emit(OpCodes.Ldarg_2);
            il.Emit(OpCodes.Bgt, leave);
        }

        il.Emit(OpCodes.Br, memberStarts[target]);
        il.MarkLabel(leave);
        EmitExit(rip, 0);
    }

    /// <summary>
    /// Before an instruction that may fault: the registers it finds are written back to the state and the
    /// compiler learns how many instructions completed before it (and so which one it is). A guest fault then
    /// leaves the method as an exception with the state as it was before the faulting instruction (the
    /// semantic methods change nothing when they fault), without a handler in the method: locals that a
    /// handler reads must live in memory, which would cost a store or load at every use.
    /// </summary>
    private void EmitFaultPoint()
    {
        // One store (two in a region): done counts whole passes, so the caller finds a lone block's index as
        // the count modulo its length.
        SyncRegisters();
        EmitCompletedBefore(index);
    }

    /// <summary>
    /// Publishes how many instructions completed before instruction <paramref name="at"/> (whole passes plus its
    /// index) in <see cref="Processor.CompiledInFlight"/>: a fault reads it to know which instruction faulted, and
    /// a device reached through the access (MMIO: the LAPIC's current count, the HPET counter) reads the virtual
    /// clock at that instruction, as the interpreter would.
    /// </summary>
    private void EmitCompletedBefore(int at)
    {
        EmitRegionPosition(at);
        il.Emit(OpCodes.Ldarg_1);
        il.Emit(OpCodes.Ldloc, done);
        il.Emit(OpCodes.Ldc_I8, (long)at);
        il.Emit(OpCodes.Add);
        il.Emit(OpCodes.Stfld, CompiledInFlight);
    }

    private void EmitTerminalBranch(ref Instruction ins, InstructionForm form)
    {
        if (form == InstructionForm.ConditionalJump)
        {
            Label taken = il.DefineLabel();
            EmitCondition(ins.ConditionCode);
            il.Emit(OpCodes.Brtrue, taken);
            EmitGoTo(ins.NextIP);
            il.MarkLabel(taken);
        }

        EmitGoTo(ins.NearBranchTarget);
    }

    /// <summary>
    /// After an instruction that read memory, when compiled with <see cref="watchReads"/>: a read that hit a
    /// data watchpoint asked for the block to be left (branches and semantic calls leave or check already).
    /// </summary>
    private void EmitWatchedReadCheck(ref Instruction ins, InstructionForm form)
    {
        if (!watchReads || form is InstructionForm.Call or InstructionForm.Return or InstructionForm.ConditionalJump
            or InstructionForm.Jump or InstructionForm.CallSemantics)
        {
            return;
        }

        bool reads = form == InstructionForm.Pop;
        for (int op = 0; op < ins.OpCount; op++)
        {
            reads |= ins.GetOpKind(op) == OpKind.Memory;
        }

        if (reads)
        {
            EmitExitCheck();
        }
    }

    /// <summary>
    /// After a memory write: if it hit a code page, the block is left with this instruction completed, RIP at the next
    /// one or at <paramref name="rip"/> (a CALL's target). With <paramref name="keepRip"/> (after a semantic call) RIP
    /// stays as the instruction left it.
    /// </summary>
    private void EmitExitCheck(bool keepRip = false, ulong? rip = null)
    {
        Label go = il.DefineLabel();
        il.Emit(OpCodes.Ldarg_1);
        il.Emit(OpCodes.Call, ExitRequested);
        il.Emit(OpCodes.Brfalse, go);
        if (keepRip)
        {
            EmitCompleted(index + 1);
        }
        else
        {
            EmitExit(rip ?? code[index].NextIP, index + 1);
        }

        il.MarkLabel(go);
    }
}
