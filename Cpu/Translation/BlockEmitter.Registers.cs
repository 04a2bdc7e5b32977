using System.Reflection.Emit;
using Cpu.Semantics;
using Iced.Intel;

namespace Cpu.Translation;

// BlockEmitter, part: The register cache: guest registers in IL locals, written back at fault points, calls and exits.
public sealed partial class BlockEmitter
{
    /// <summary>Pushes a general-purpose register, zero-extended (its IL local holds all 64 bits).</summary>
    private void EmitReadRegister(Register register)
    {
        int n = Operands.RegisterNumber(register);
        il.Emit(OpCodes.Ldloc, registers[n]!);
        if (IsHigh8(register))
        {
            il.Emit(OpCodes.Ldc_I4_8);
            il.Emit(OpCodes.Shr_Un);
        }

        EmitZeroExtend(Operands.RegisterSize(register));
    }

    /// <summary>Writes the ulong on the stack to a register with x86-64 merging (8/16-bit merge, 32-bit zero-extends).</summary>
    private void EmitWriteRegister(Register register)
    {
        dirty[Operands.RegisterNumber(register)] = true;
        LocalBuilder r = registers[Operands.RegisterNumber(register)]!;
        int size = Operands.RegisterSize(register);
        if (size == 8)
        {
            il.Emit(OpCodes.Stloc, r);
            return;
        }

        if (size == 4)
        {
            EmitZeroExtend(4);
            il.Emit(OpCodes.Stloc, r);
            return;
        }

        ulong keep = size == 2 ? ~0xFFFFUL : IsHigh8(register) ? ~0xFF00UL : ~0xFFUL;
        EmitZeroExtend(size);
        if (IsHigh8(register))
        {
            il.Emit(OpCodes.Ldc_I4_8);
            il.Emit(OpCodes.Shl);
        }

        il.Emit(OpCodes.Ldloc, r);
        il.Emit(OpCodes.Ldc_I8, (long)keep);
        il.Emit(OpCodes.And);
        il.Emit(OpCodes.Or);
        il.Emit(OpCodes.Stloc, r);
    }

    /// <summary>Declares an IL local for every general-purpose register the members name, and marks those they may write.</summary>
    private void CollectRegisters()
    {
        for (int m = 0; m < members.Length; m++)
        {
            for (int k = 0; k < counts[m]; k++)
            {
                Collect(ref members[m].Instructions[k]);
            }
        }
    }

    private void Collect(ref Instruction ins)
    {
        for (int op = 0; op < ins.OpCount; op++)
        {
            if (ins.GetOpKind(op) == OpKind.Register && ins.GetOpRegister(op).IsGPR())
            {
                Use(ins.GetOpRegister(op));
            }
        }

        if (ins.MemoryBase.IsGPR())
        {
            Use(ins.MemoryBase);
        }

        if (ins.MemoryIndex.IsGPR())
        {
            Use(ins.MemoryIndex);
        }

        if (TranslationFrontEnd.Classify(ins) is InstructionForm.Push or InstructionForm.Pop or InstructionForm.Call or InstructionForm.Return)
        {
            // Inline stack operations update RSP's local (the others go through the state and reload it).
            Use(Register.RSP);
            written[RspNumber] = true;
        }

        // Otherwise only the first operand is written through a local (RDX:RAX of MUL/DIV go through the
        // state, and the locals are reloaded after them).
        if (ins.OpCount > 0 && ins.Op0Kind == OpKind.Register && ins.Op0Register.IsGPR())
        {
            written[Operands.RegisterNumber(ins.Op0Register)] = true;
        }
    }

    private void Use(Register register)
    {
        int n = Operands.RegisterNumber(register);
        registers[n] ??= il.DeclareLocal(typeof(ulong));
    }

    /// <summary>
    /// Loads the register locals from the state, at entry and after a call that used the state's registers;
    /// such a call may also have switched the TLB context (a semantic method that changes CPL or RFLAGS.AC).
    /// </summary>
    private void LoadRegisters()
    {
        for (int n = 0; n < registers.Length; n++)
        {
            if (registers[n] is LocalBuilder r)
            {
                il.Emit(OpCodes.Ldloc, gpr);
                il.Emit(OpCodes.Ldc_I4, n);
                il.Emit(OpCodes.Ldelem_I8);
                il.Emit(OpCodes.Stloc, r);
            }
        }

        LoadTlbContext();
    }

    /// <summary>Writes back the register locals that differ from the state here (straight-line code), and marks them clean.</summary>
    private void SyncRegisters()
    {
        WriteBackRegisters(dirty);
        Array.Clear(dirty);
    }

    /// <summary>Writes back the register locals marked in <paramref name="which"/>.</summary>
    private void WriteBackRegisters(bool[] which)
    {
        for (int n = 0; n < registers.Length; n++)
        {
            if (which[n] && registers[n] is LocalBuilder r)
            {
                il.Emit(OpCodes.Ldloc, gpr);
                il.Emit(OpCodes.Ldc_I4, n);
                il.Emit(OpCodes.Ldloc, r);
                il.Emit(OpCodes.Stelem_I8);
            }
        }
    }

    /// <summary>
    /// Writes back the register locals the prefix may write (the others still equal the state). The
    /// locals always hold the current values, so storing one not yet written on this path is harmless.
    /// </summary>
    private void StoreRegisters()
    {
        for (int n = 0; n < registers.Length; n++)
        {
            if (written[n] && registers[n] is LocalBuilder r)
            {
                il.Emit(OpCodes.Ldloc, gpr);
                il.Emit(OpCodes.Ldc_I4, n);
                il.Emit(OpCodes.Ldloc, r);
                il.Emit(OpCodes.Stelem_I8);
            }
        }
    }
}
