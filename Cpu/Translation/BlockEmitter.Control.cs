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
        il.Emit(OpCodes.Ldloc, done);
        il.Emit(OpCodes.Ldc_I8, (long)completed);
        il.Emit(OpCodes.Add);
        il.Emit(OpCodes.Stloc, returned);
        il.Emit(OpCodes.Br, end);
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
        // One store: done counts whole passes, so the caller finds the index as the count modulo the block's.
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
        il.Emit(OpCodes.Ldarg_1);
        il.Emit(OpCodes.Ldloc, done);
        il.Emit(OpCodes.Ldc_I8, (long)at);
        il.Emit(OpCodes.Add);
        il.Emit(OpCodes.Stfld, CompiledInFlight);
    }

    private void EmitTerminalBranch(ref Instruction ins, InstructionForm form, Label top)
    {
        ulong target = ins.NearBranchTarget;
        if (form == InstructionForm.ConditionalJump)
        {
            Label taken = il.DefineLabel();
            EmitCondition(ins.ConditionCode);
            il.Emit(OpCodes.Brtrue, taken);
            EmitExit(ins.NextIP, count);
            il.MarkLabel(taken);
        }

        if (target == block.LinearStart)
        {
            // A loop onto itself: go round again while passes remain (whole passes within the budget, at
            // most MaxPassesPerEntry, after which the dispatcher takes interrupts) and nothing (a stop
            // request, a write to code) wants the dispatcher.
            Label leave = il.DefineLabel();

            // No write-back here: the next pass takes every register the prefix writes as changed.
            il.Emit(OpCodes.Ldloc, done);
            il.Emit(OpCodes.Ldc_I8, (long)count);
            il.Emit(OpCodes.Add);
            il.Emit(OpCodes.Stloc, done);
            il.Emit(OpCodes.Ldloc, passes);
            il.Emit(OpCodes.Ldc_I4_1);
            il.Emit(OpCodes.Sub);
            il.Emit(OpCodes.Dup);
            il.Emit(OpCodes.Stloc, passes);
            il.Emit(OpCodes.Brfalse, leave);
            il.Emit(OpCodes.Ldarg_1);
            il.Emit(OpCodes.Call, MustLeave);
            il.Emit(OpCodes.Brfalse, top);
            il.MarkLabel(leave);
            EmitExit(target, 0);
            return;
        }

        EmitExit(target, count);
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
    /// After a memory write: if it hit a code page, the block is left with this instruction completed. With
    /// <paramref name="keepRip"/> (after a semantic call) RIP stays as the instruction left it.
    /// </summary>
    private void EmitExitCheck(bool keepRip = false)
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
            EmitExit(code[index].NextIP, index + 1);
        }

        il.MarkLabel(go);
    }
}
