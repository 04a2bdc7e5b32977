using System.Reflection;
using System.Reflection.Emit;
using Cpu.Instructions;
using Cpu.Semantics;
using Cpu.State;
using Iced.Intel;
using Label = System.Reflection.Emit.Label;

namespace Cpu.Translation;

// BlockEmitter, part: The instruction forms: one emission per <see cref="InstructionForm"/>.
public sealed partial class BlockEmitter
{
    private void EmitInstruction(ref Instruction ins, InstructionForm form)
    {
        switch (form)
        {
            case InstructionForm.Nop:
                break;
            case InstructionForm.Mov:
                if (ins.Op0Kind == OpKind.Register)
                {
                    EmitRead(ref ins, 1);
                    EmitWriteRegister(ins.Op0Register);
                }
                else
                {
                    EmitRead(ref ins, 1);
                    il.Emit(OpCodes.Stloc, b);
                    EmitEffectiveAddress(ref ins);
                    il.Emit(OpCodes.Stloc, address);
                    EmitWriteMemory(Operands.MemorySizeBytes(ins.MemorySize), b);
                }

                break;
            case InstructionForm.Binary:
                EmitBinary(ref ins);
                break;
            case InstructionForm.Unary:
                EmitUnary(ref ins);
                break;
            case InstructionForm.Shift:
                {
                    MethodInfo op = TranslationFrontEnd.Definition(ins).Declaration.Operation!;
                    if (ins.OpCount > 1)
                    {
                        EmitRead(ref ins, 1);
                    }
                    else
                    {
                        il.Emit(OpCodes.Ldc_I8, 1L);
                    }

                    il.Emit(OpCodes.Stloc, b);
                    bool plain = PlainArithmetic.TryConstantShift(ins, op, out OpCode shift, out int count) && deadFlags[index];
                    EmitReadModifyWrite(ref ins, true, size =>
                    {
                        if (plain)
                        {
                            // Dead flags: one IL shift (the write truncates the result to the operand size).
                            il.Emit(OpCodes.Ldloc, a);
                            EmitSignExtendForShift(shift, size);
                            il.Emit(OpCodes.Ldc_I4, count);
                            il.Emit(shift);
                            return;
                        }

                        il.Emit(OpCodes.Ldloc, state);
                        il.Emit(OpCodes.Ldloc, a);
                        il.Emit(OpCodes.Ldloc, b);
                        il.Emit(OpCodes.Ldc_I4, size);
                        EmitHelper(op);
                    });
                    break;
                }

            case InstructionForm.MoveZeroExtend:
                EmitRead(ref ins, 1);
                EmitWriteRegister(ins.Op0Register);
                break;
            case InstructionForm.MoveSignExtend:
                EmitRead(ref ins, 1);
                il.Emit(OpCodes.Ldc_I4, Operands.OperandSize(ins, 1));
                EmitHelper(SignExtend);
                EmitWriteRegister(ins.Op0Register);
                break;
            case InstructionForm.Lea:
                EmitEffectiveOffset(ref ins);
                EmitWriteRegister(ins.Op0Register);
                break;
            case InstructionForm.Multiply:
                {
                    // IMUL r, r/m (dest is also a source) and IMUL r, r/m, imm. The low half of a product
                    // does not depend on signedness, so with dead flags it is one multiply.
                    Register dest = ins.Op0Register;
                    bool flags = !deadFlags[index];
                    if (flags)
                    {
                        il.Emit(OpCodes.Ldloc, state);
                    }

                    if (ins.OpCount == 2)
                    {
                        EmitReadRegister(dest);
                        EmitRead(ref ins, 1);
                    }
                    else
                    {
                        EmitRead(ref ins, 1);
                        EmitRead(ref ins, 2);
                    }

                    if (flags)
                    {
                        il.Emit(OpCodes.Ldc_I4, Operands.RegisterSize(dest));
                        EmitHelper(ImulTwo);
                    }
                    else
                    {
                        il.Emit(OpCodes.Mul);
                    }

                    EmitWriteRegister(dest);
                    break;
                }

            case InstructionForm.WideMultiplyDivide:
                {
                    // MUL/IMUL/DIV/IDIV r/m: RDX:RAX through the state's registers; DIV and IDIV raise #DE
                    // before writing anything.
                    EmitRead(ref ins, 0);
                    il.Emit(OpCodes.Stloc, b);
                    SyncRegisters();
                    il.Emit(OpCodes.Ldloc, state);
                    il.Emit(OpCodes.Ldloc, b);
                    il.Emit(OpCodes.Ldc_I4, Operands.OperandSize(ins, 0));
                    EmitHelper(TranslationFrontEnd.Definition(ins).Declaration.Operation!);
                    LoadRegisters();
                    break;
                }

            case InstructionForm.Push when InlineStack(ins):
                EmitRead(ref ins, 0);
                il.Emit(OpCodes.Stloc, b);
                EmitInlinePush(b);
                EmitExitCheck();
                break;
            case InstructionForm.Push:
                EmitRead(ref ins, 0);
                il.Emit(OpCodes.Stloc, b);
                SyncRegisters();
                il.Emit(OpCodes.Ldarg_1);
                il.Emit(OpCodes.Ldloc, b);
                il.Emit(OpCodes.Ldc_I4, -ins.StackPointerIncrement);
                EmitHelper(Push);
                LoadRegisters();
                EmitExitCheck();
                break;
            case InstructionForm.Pop:
                {
                    // The popped value, then RSP, then the destination (POP RSP keeps the popped value).
                    int size = ins.StackPointerIncrement;
                    if (InlineStack(ins))
                    {
                        EmitInlinePopIntoB(size);
                    }
                    else
                    {
                        EmitPopIntoB(size, size);
                    }

                    il.Emit(OpCodes.Ldloc, b);
                    EmitWriteRegister(ins.Op0Register);
                    break;
                }

            case InstructionForm.SetCondition:
                EmitCondition(ins.ConditionCode);
                il.Emit(OpCodes.Conv_U8);
                if (ins.Op0Kind == OpKind.Register)
                {
                    EmitWriteRegister(ins.Op0Register);
                }
                else
                {
                    il.Emit(OpCodes.Stloc, b);
                    EmitEffectiveAddress(ref ins);
                    il.Emit(OpCodes.Stloc, address);
                    EmitWriteMemory(1, b);
                }

                break;
            case InstructionForm.ConditionalMove:
                {
                    // The source is read (and may fault) whatever the condition; a 32-bit destination is
                    // zero-extended even when nothing moves (the interpreter's rule).
                    Label keep = il.DefineLabel();
                    Label write = il.DefineLabel();
                    EmitRead(ref ins, 1);
                    il.Emit(OpCodes.Stloc, b);
                    EmitCondition(ins.ConditionCode);
                    il.Emit(OpCodes.Brfalse, keep);
                    il.Emit(OpCodes.Ldloc, b);
                    il.Emit(OpCodes.Br, write);
                    il.MarkLabel(keep);
                    EmitReadRegister(ins.Op0Register);
                    il.MarkLabel(write);
                    EmitWriteRegister(ins.Op0Register);
                    break;
                }

            case InstructionForm.Call:
                {
                    // CALL rel: the return address goes through the interpreter's Stack.Push (RSP in the
                    // state), then on to the target. Always the block's last instruction.
                    int size = -ins.StackPointerIncrement;
                    if (InlineStack(ins))
                    {
                        il.Emit(OpCodes.Ldc_I8, (long)ins.NextIP);
                        il.Emit(OpCodes.Stloc, b);
                        EmitInlinePush(b);
                    }
                    else
                    {
                        SyncRegisters();
                        il.Emit(OpCodes.Ldarg_1);
                        il.Emit(OpCodes.Ldc_I8, (long)(ins.NextIP & Operands.SizeMask(size)));
                        il.Emit(OpCodes.Ldc_I4, size);
                        EmitHelper(Push);
                        LoadRegisters();
                    }

                    // Into a member of the region: the return address may have been written over code, so leave
                    // (the call complete) if a code write asked to. To anywhere else EmitGoTo leaves anyway.
                    if (MemberAt(ins.NearBranchTarget) >= 0)
                    {
                        EmitExitCheck(rip: ins.NearBranchTarget);
                    }

                    EmitGoTo(ins.NearBranchTarget);
                    break;
                }

            case InstructionForm.Return:
                {
                    // RET and RET imm16 as the interpreter does them: read the return address, then release
                    // it (and imm16 bytes); the block leaves for the address read.
                    int increment = ins.StackPointerIncrement;
                    if (InlineStack(ins))
                    {
                        EmitInlinePopIntoB(increment);
                    }
                    else
                    {
                        EmitPopIntoB(ins.OpCount == 1 ? increment - ins.Immediate16 : increment, increment);
                    }

                    EmitIndirectGoTo(() => il.Emit(OpCodes.Ldloc, b));
                    il.Emit(OpCodes.Ldloc, state);
                    il.Emit(OpCodes.Ldloc, b);
                    il.Emit(OpCodes.Stfld, Rip);
                    EmitCompleted(index + 1);
                    break;
                }

            case InstructionForm.PortIn:
                // The device may read the virtual clock: the fault point before the IN (it may fault) has
                // published the instructions completed before it, which count, as in the interpreter.
                il.Emit(OpCodes.Ldarg_1);
                EmitRead(ref ins, 1);
                il.Emit(OpCodes.Conv_U2);
                il.Emit(OpCodes.Ldc_I4, Operands.RegisterSize(ins.Op0Register));
                EmitHelper(PortIn);
                il.Emit(OpCodes.Conv_U8);
                EmitWriteRegister(ins.Op0Register);
                break;
            case InstructionForm.CallSemantics:
                EmitCallSemantics(ref ins);
                break;
            default:
                throw new InvalidOperationException($"untranslatable instruction {ins} emitted");
        }
    }

    /// <summary>
    /// The interpreter's pop through the state: local <c>b</c> = Stack.Peek(cpu, <paramref name="size"/>, 0),
    /// then RSP = Stack.Adjust(cpu, RSP, <paramref name="release"/>), and the register locals reloaded.
    /// </summary>
    private void EmitPopIntoB(int size, int release)
    {
        SyncRegisters();
        il.Emit(OpCodes.Ldarg_1);
        il.Emit(OpCodes.Ldc_I4, size);
        il.Emit(OpCodes.Ldc_I8, 0L);
        EmitHelper(Peek);
        il.Emit(OpCodes.Stloc, b);
        il.Emit(OpCodes.Ldloc, gpr);
        il.Emit(OpCodes.Ldc_I4, RspNumber);
        il.Emit(OpCodes.Ldarg_1);
        il.Emit(OpCodes.Ldloc, gpr);
        il.Emit(OpCodes.Ldc_I4, RspNumber);
        il.Emit(OpCodes.Ldelem_I8);
        il.Emit(OpCodes.Ldc_I8, (long)release);
        EmitHelper(Adjust);
        il.Emit(OpCodes.Stelem_I8);
        LoadRegisters();
    }

    /// <summary>
    /// The default form of every declared instruction: the registers written back, RIP past it, its semantic
    /// method called with the block's decoded instruction (from the instructions the method is bound to), the registers reloaded.
    /// A branch or an instruction that ends its block (SYSCALL, a CR3 write...) leaves with the RIP its
    /// semantics set; anything else goes on unless it wrote to a code page or asked for the block to end.
    /// </summary>
    private void EmitCallSemantics(ref Instruction ins)
    {
        InstructionDefinition definition = TranslationFrontEnd.Definition(ins);
        SyncRegisters();
        il.Emit(OpCodes.Ldloc, state);
        il.Emit(OpCodes.Ldc_I8, (long)ins.NextIP);
        il.Emit(OpCodes.Stfld, Rip);
        if (definition.Declaration.Guard is { } guard)
        {
            // The family check (InstructionGuard) first, with the same arguments.
            il.Emit(OpCodes.Ldarg_1);
            il.Emit(OpCodes.Ldarg_0);
            il.Emit(OpCodes.Ldc_I4, instructionBase[member] + index);
            il.Emit(OpCodes.Ldelema, typeof(Instruction));
            EmitHelper(guard.Method);
        }

        il.Emit(OpCodes.Ldarg_1);
        il.Emit(OpCodes.Ldarg_0);
        il.Emit(OpCodes.Ldc_I4, instructionBase[member] + index);
        il.Emit(OpCodes.Ldelema, typeof(Instruction));
        EmitHelper(definition.Semantics.Method);
        LoadRegisters();

        // RIP is the one the semantics left: past the instruction, a branch's or a system instruction's
        // target (SYSCALL, IRET, a far transfer), or the instruction itself when a repeated string
        // instruction stopped part-way (a slice done, a debug trap between iterations).
        if (definition.Has(InstructionTraits.Branch) || definition.Has(InstructionTraits.EndsBlock))
        {
            EmitIndirectGoTo(() =>
            {
                il.Emit(OpCodes.Ldloc, state);
                il.Emit(OpCodes.Ldfld, Rip);
            });
            EmitCompleted(index + 1);
            return;
        }

        EmitExitCheck(keepRip: true);
    }

    private void EmitBinary(ref Instruction ins)
    {
        InstructionDeclaration declaration = TranslationFrontEnd.Definition(ins).Declaration;
        bool writes = !declaration.Traits.HasFlag(InstructionTraits.CompareOnly);
        bool flags = !deadFlags[index];
        MethodInfo op = declaration.Operation!;
        FlagProducer kind = ConditionFusion.ProducerOf(ins, InstructionForm.Binary);
        EmitRead(ref ins, 1);
        il.Emit(OpCodes.Stloc, b);
        EmitReadModifyWrite(ref ins, writes, size =>
        {
            if (flags)
            {
                il.Emit(OpCodes.Ldloc, state);
                il.Emit(OpCodes.Ldloc, a);
                il.Emit(OpCodes.Ldloc, b);
                il.Emit(OpCodes.Ldc_I4, size);
                EmitHelper(op);
                RecordProducer(kind, size);
                return;
            }

            // Dead flags: the result alone (the write truncates it to the operand size), kept for a
            // fused condition that reads it.
            PlainArithmetic.TryBinary(op, out OpCode plain);
            il.Emit(OpCodes.Ldloc, a);
            il.Emit(OpCodes.Ldloc, b);
            il.Emit(plain);
            RecordProducer(kind, size);
        });
    }

    private void EmitUnary(ref Instruction ins)
    {
        InstructionDeclaration declaration = TranslationFrontEnd.Definition(ins).Declaration;
        MethodInfo op = declaration.Operation!;

        // NOT sets no flag: its operation takes no state.
        bool setsFlags = op.GetParameters()[0].ParameterType == typeof(CpuState);
        bool flags = !deadFlags[index] && setsFlags;
        FlagProducer kind = ConditionFusion.ProducerOf(ins, InstructionForm.Unary);

        // INC and DEC keep CF: when the instruction that set it is known, it is passed in.
        bool carryKnown = declaration.CarryInOperation is not null && ConditionFusion.CarryKnown(previousProducer);
        EmitReadModifyWrite(ref ins, true, size =>
        {
            if (flags && carryKnown)
            {
                il.Emit(OpCodes.Ldloc, state);
                il.Emit(OpCodes.Ldloc, a);
                il.Emit(OpCodes.Ldc_I4, size);
                producer = previousProducer;
                EmitFusedCondition(ConditionCode.b);
                EmitHelper(declaration.CarryInOperation!);
                RecordProducer(kind, size);
                return;
            }

            if (flags)
            {
                il.Emit(OpCodes.Ldloc, state);
                il.Emit(OpCodes.Ldloc, a);
                il.Emit(OpCodes.Ldc_I4, size);
                EmitHelper(op);
                RecordProducer(kind, size);
                return;
            }

            if (!setsFlags)
            {
                il.Emit(OpCodes.Ldloc, a);
                il.Emit(OpCodes.Ldc_I4, size);
                EmitHelper(op);
            }
            else if (op == PlainArithmetic.Negate)
            {
                il.Emit(OpCodes.Ldc_I8, 0L);
                il.Emit(OpCodes.Ldloc, a);
                il.Emit(OpCodes.Sub);
            }
            else
            {
                il.Emit(OpCodes.Ldloc, a);
                il.Emit(OpCodes.Ldc_I8, 1L);
                il.Emit(op == PlainArithmetic.Increment ? OpCodes.Add : OpCodes.Sub);
                RecordProducer(kind, size);
            }
        });
    }

    /// <summary>For SAR (an arithmetic IL shift), the zero-extended operand on the stack becomes its sign extension from <paramref name="size"/> bytes.</summary>
    private void EmitSignExtendForShift(OpCode shift, int size)
    {
        if (shift != OpCodes.Shr || size == 8)
        {
            return;
        }

        il.Emit(size == 1 ? OpCodes.Conv_I1 : size == 2 ? OpCodes.Conv_I2 : OpCodes.Conv_I4);
        il.Emit(OpCodes.Conv_I8);
    }
}
