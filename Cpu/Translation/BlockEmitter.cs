using System.Reflection;
using System.Reflection.Emit;
using Cpu.Decode;
using Cpu.Semantics;
using Cpu.State;
using Iced.Intel;
using Label = System.Reflection.Emit.Label;

namespace Cpu.Translation;

/// <summary>
/// Emits the IL of a block's translatable prefix as a <see cref="DynamicMethod"/>. Every instruction
/// becomes calls to the same semantic methods the interpreter uses (Alu, Shifts, Conditions, Operands,
/// Stack) with register numbers, sizes and immediates as constants, so the .NET JIT inlines and folds
/// them. RIP is stored before each instruction as the interpreter does, so a fault leaves it at the next
/// instruction and the caller finds the faulting one; the semantic methods are themselves precise.
/// The method is <c>int (Instruction[] code, Processor cpu)</c>, closed over the block's instructions
/// (memory operands are addressed through <see cref="Operands.EffectiveAddress"/> on them). Called with a
/// null processor it returns -1 at once: that forces the .NET JIT to compile it up front.
/// </summary>
public sealed class BlockEmitter
{
    private static readonly MethodInfo ReadRegister = typeof(Operands).GetMethod(nameof(Operands.ReadRegister))!;
    private static readonly MethodInfo WriteRegister = typeof(Operands).GetMethod(nameof(Operands.WriteRegister))!;
    private static readonly MethodInfo ReadMemory = typeof(Operands).GetMethod(nameof(Operands.ReadMemory))!;
    private static readonly MethodInfo WriteMemory = typeof(Operands).GetMethod(nameof(Operands.WriteMemory))!;
    private static readonly MethodInfo SignExtend = typeof(Operands).GetMethod(nameof(Operands.SignExtend))!;
    private static readonly MethodInfo EffectiveAddress = typeof(Operands).GetMethod(nameof(Operands.EffectiveAddress), [typeof(Processor), typeof(Instruction).MakeByRefType()])!;
    private static readonly MethodInfo EffectiveOffset = typeof(Operands).GetMethod(nameof(Operands.EffectiveOffset), [typeof(CpuState), typeof(Instruction).MakeByRefType()])!;
    private static readonly MethodInfo ImulTwo = typeof(MulDiv).GetMethod(nameof(MulDiv.Imul))!;
    private static readonly MethodInfo Evaluate = typeof(Conditions).GetMethod(nameof(Conditions.Evaluate))!;
    private static readonly MethodInfo Push = typeof(Stack).GetMethod(nameof(Stack.Push))!;
    private static readonly MethodInfo Peek = typeof(Stack).GetMethod(nameof(Stack.Peek))!;
    private static readonly MethodInfo Adjust = typeof(Stack).GetMethod(nameof(Stack.Adjust))!;
    private static readonly MethodInfo GetState = typeof(Processor).GetProperty(nameof(Processor.State))!.GetMethod!;
    private static readonly MethodInfo GetMemory = typeof(Processor).GetProperty(nameof(Processor.Memory))!.GetMethod!;
    private static readonly MethodInfo ExitRequested = typeof(Processor).GetProperty(nameof(Processor.BlockExitRequested), BindingFlags.Instance | BindingFlags.NonPublic | BindingFlags.Public)!.GetMethod!;
    private static readonly MethodInfo ProbeWrite = typeof(Mmu.LinearMemory).GetMethod(nameof(Mmu.LinearMemory.ProbeWrite))!;
    private static readonly FieldInfo Rip = typeof(CpuState).GetField(nameof(CpuState.Rip))!;
    private static readonly FieldInfo Gpr = typeof(CpuState).GetField(nameof(CpuState.Gpr))!;

    private readonly Instruction[] code;
    private readonly ILGenerator il;
    private readonly DynamicMethod method;
    private readonly LocalBuilder state;
    private readonly LocalBuilder a;
    private readonly LocalBuilder b;
    private readonly LocalBuilder result;
    private readonly LocalBuilder address;
    private int index;

    private BlockEmitter(DecodedBlock block)
    {
        code = block.Instructions;
        method = new DynamicMethod($"guest_{block.LinearStart:x}", typeof(int), [typeof(Instruction[]), typeof(Processor)], typeof(Processor).Module, skipVisibility: true);
        il = method.GetILGenerator();
        state = il.DeclareLocal(typeof(CpuState));
        a = il.DeclareLocal(typeof(ulong));
        b = il.DeclareLocal(typeof(ulong));
        result = il.DeclareLocal(typeof(ulong));
        address = il.DeclareLocal(typeof(ulong));
    }

    /// <summary>Emits the first <paramref name="count"/> instructions of <paramref name="block"/> (all translatable).</summary>
    public static CompiledBlockCode Emit(DecodedBlock block, int count)
    {
        var e = new BlockEmitter(block);
        return e.EmitBlock(count);
    }

    private CompiledBlockCode EmitBlock(int count)
    {
        Label start = il.DefineLabel();
        il.Emit(OpCodes.Ldarg_1);
        il.Emit(OpCodes.Brtrue, start);
        il.Emit(OpCodes.Ldc_I4_M1);
        il.Emit(OpCodes.Ret);
        il.MarkLabel(start);
        il.Emit(OpCodes.Ldarg_1);
        il.Emit(OpCodes.Call, GetState);
        il.Emit(OpCodes.Stloc, state);
        for (index = 0; index < count; index++)
        {
            ref Instruction ins = ref code[index];
            il.Emit(OpCodes.Ldloc, state);
            il.Emit(OpCodes.Ldc_I8, (long)ins.NextIP);
            il.Emit(OpCodes.Stfld, Rip);
            EmitInstruction(ref ins, TranslationFrontEnd.Classify(ins));
        }

        il.Emit(OpCodes.Ldc_I4, count);
        il.Emit(OpCodes.Ret);
        return method.CreateDelegate<CompiledBlockCode>(code);
    }

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
                    EmitWriteRegisterFromStack(ins.Op0Register);
                }
                else
                {
                    EmitRead(ref ins, 1);
                    il.Emit(OpCodes.Stloc, b);
                    il.Emit(OpCodes.Ldarg_1);
                    EmitEffectiveAddress();
                    il.Emit(OpCodes.Ldc_I4, Operands.MemorySizeBytes(ins.MemorySize));
                    il.Emit(OpCodes.Ldloc, b);
                    il.Emit(OpCodes.Call, WriteMemory);
                    EmitExitCheck();
                }

                break;
            case InstructionForm.Binary:
                {
                    Mnemonic m = ins.Mnemonic;
                    bool writes = m != Mnemonic.Cmp && m != Mnemonic.Test;
                    MethodInfo op = typeof(Alu).GetMethod(m switch
                    {
                        Mnemonic.Test => nameof(Alu.And),
                        Mnemonic.Cmp => nameof(Alu.Sub),
                        _ => m.ToString(),
                    })!;
                    EmitRead(ref ins, 1);
                    il.Emit(OpCodes.Stloc, b);
                    EmitReadModifyWrite(ref ins, writes, size =>
                    {
                        il.Emit(OpCodes.Ldloc, state);
                        il.Emit(OpCodes.Ldloc, a);
                        il.Emit(OpCodes.Ldloc, b);
                        il.Emit(OpCodes.Ldc_I4, size);
                        il.Emit(OpCodes.Call, op);
                    });
                    break;
                }

            case InstructionForm.Unary:
                {
                    Mnemonic m = ins.Mnemonic;
                    MethodInfo op = typeof(Alu).GetMethod(m.ToString())!;
                    EmitReadModifyWrite(ref ins, true, size =>
                    {
                        if (m != Mnemonic.Not)
                        {
                            il.Emit(OpCodes.Ldloc, state);
                        }

                        il.Emit(OpCodes.Ldloc, a);
                        il.Emit(OpCodes.Ldc_I4, size);
                        il.Emit(OpCodes.Call, op);
                    });
                    break;
                }

            case InstructionForm.Shift:
                {
                    Mnemonic m = ins.Mnemonic == Mnemonic.Sal ? Mnemonic.Shl : ins.Mnemonic;
                    MethodInfo op = typeof(Shifts).GetMethod(m.ToString())!;
                    if (ins.OpCount > 1)
                    {
                        EmitRead(ref ins, 1);
                    }
                    else
                    {
                        il.Emit(OpCodes.Ldc_I8, 1L);
                    }

                    il.Emit(OpCodes.Stloc, b);
                    EmitReadModifyWrite(ref ins, true, size =>
                    {
                        il.Emit(OpCodes.Ldloc, state);
                        il.Emit(OpCodes.Ldloc, a);
                        il.Emit(OpCodes.Ldloc, b);
                        il.Emit(OpCodes.Ldc_I4, size);
                        il.Emit(OpCodes.Call, op);
                    });
                    break;
                }

            case InstructionForm.MoveZeroExtend:
                EmitRead(ref ins, 1);
                EmitWriteRegisterFromStack(ins.Op0Register);
                break;
            case InstructionForm.MoveSignExtend:
                EmitRead(ref ins, 1);
                il.Emit(OpCodes.Ldc_I4, Operands.OperandSize(ins, 1));
                il.Emit(OpCodes.Call, SignExtend);
                il.Emit(OpCodes.Ldc_I8, (long)Operands.SizeMask(Operands.RegisterSize(ins.Op0Register)));
                il.Emit(OpCodes.And);
                EmitWriteRegisterFromStack(ins.Op0Register);
                break;
            case InstructionForm.Lea:
                il.Emit(OpCodes.Ldloc, state);
                EmitInstructionRef();
                il.Emit(OpCodes.Call, EffectiveOffset);
                EmitWriteRegisterFromStack(ins.Op0Register);
                break;
            case InstructionForm.Multiply:
                {
                    // IMUL r, r/m (dest is also a source) and IMUL r, r/m, imm.
                    Register dest = ins.Op0Register;
                    il.Emit(OpCodes.Ldloc, state);
                    if (ins.OpCount == 2)
                    {
                        il.Emit(OpCodes.Ldloc, state);
                        il.Emit(OpCodes.Ldc_I4, (int)dest);
                        il.Emit(OpCodes.Call, ReadRegister);
                        EmitRead(ref ins, 1);
                    }
                    else
                    {
                        EmitRead(ref ins, 1);
                        EmitRead(ref ins, 2);
                    }

                    il.Emit(OpCodes.Ldc_I4, Operands.RegisterSize(dest));
                    il.Emit(OpCodes.Call, ImulTwo);
                    EmitWriteRegisterFromStack(dest);
                    break;
                }

            case InstructionForm.WideMultiplyDivide:
                {
                    // MUL/IMUL/DIV/IDIV r/m: RDX:RAX forms; DIV and IDIV raise #DE before writing anything.
                    string name = ins.Mnemonic == Mnemonic.Imul ? nameof(MulDiv.Imul1) : ins.Mnemonic.ToString();
                    il.Emit(OpCodes.Ldloc, state);
                    EmitRead(ref ins, 0);
                    il.Emit(OpCodes.Ldc_I4, Operands.OperandSize(ins, 0));
                    il.Emit(OpCodes.Call, typeof(MulDiv).GetMethod(name)!);
                    break;
                }

            case InstructionForm.Push:
                EmitRead(ref ins, 0);
                il.Emit(OpCodes.Stloc, b);
                il.Emit(OpCodes.Ldarg_1);
                il.Emit(OpCodes.Ldloc, b);
                il.Emit(OpCodes.Ldc_I4, -ins.StackPointerIncrement);
                il.Emit(OpCodes.Call, Push);
                EmitExitCheck();
                break;
            case InstructionForm.Pop:
                {
                    int size = ins.StackPointerIncrement;
                    il.Emit(OpCodes.Ldarg_1);
                    il.Emit(OpCodes.Ldc_I4, size);
                    il.Emit(OpCodes.Ldc_I8, 0L);
                    il.Emit(OpCodes.Call, Peek);
                    il.Emit(OpCodes.Stloc, b);

                    // state.Gpr[RSP] = Stack.Adjust(cpu, state.Gpr[RSP], size)
                    il.Emit(OpCodes.Ldloc, state);
                    il.Emit(OpCodes.Ldfld, Gpr);
                    il.Emit(OpCodes.Ldc_I4_4);
                    il.Emit(OpCodes.Ldarg_1);
                    il.Emit(OpCodes.Ldloc, state);
                    il.Emit(OpCodes.Ldfld, Gpr);
                    il.Emit(OpCodes.Ldc_I4_4);
                    il.Emit(OpCodes.Ldelem_I8);
                    il.Emit(OpCodes.Ldc_I8, (long)size);
                    il.Emit(OpCodes.Call, Adjust);
                    il.Emit(OpCodes.Stelem_I8);
                    il.Emit(OpCodes.Ldloc, b);
                    EmitWriteRegisterFromStack(ins.Op0Register);
                    break;
                }

            case InstructionForm.SetCondition:
                EmitCondition(ins.ConditionCode);
                il.Emit(OpCodes.Conv_U8);
                if (ins.Op0Kind == OpKind.Register)
                {
                    EmitWriteRegisterFromStack(ins.Op0Register);
                }
                else
                {
                    il.Emit(OpCodes.Stloc, b);
                    il.Emit(OpCodes.Ldarg_1);
                    EmitEffectiveAddress();
                    il.Emit(OpCodes.Ldc_I4_1);
                    il.Emit(OpCodes.Ldloc, b);
                    il.Emit(OpCodes.Call, WriteMemory);
                    EmitExitCheck();
                }

                break;
            case InstructionForm.ConditionalMove:
                {
                    // The source is read (and may fault) whatever the condition; a 32-bit destination is
                    // zero-extended even when nothing moves (the interpreter's rule, through WriteRegister).
                    Label keep = il.DefineLabel();
                    Label write = il.DefineLabel();
                    EmitRead(ref ins, 1);
                    il.Emit(OpCodes.Stloc, b);
                    EmitCondition(ins.ConditionCode);
                    il.Emit(OpCodes.Brfalse, keep);
                    il.Emit(OpCodes.Ldloc, b);
                    il.Emit(OpCodes.Br, write);
                    il.MarkLabel(keep);
                    il.Emit(OpCodes.Ldloc, state);
                    il.Emit(OpCodes.Ldc_I4, (int)ins.Op0Register);
                    il.Emit(OpCodes.Call, ReadRegister);
                    il.MarkLabel(write);
                    EmitWriteRegisterFromStack(ins.Op0Register);
                    break;
                }

            case InstructionForm.ConditionalJump:
                {
                    Label notTaken = il.DefineLabel();
                    EmitCondition(ins.ConditionCode);
                    il.Emit(OpCodes.Brfalse, notTaken);
                    il.Emit(OpCodes.Ldloc, state);
                    il.Emit(OpCodes.Ldc_I8, (long)ins.NearBranchTarget);
                    il.Emit(OpCodes.Stfld, Rip);
                    il.MarkLabel(notTaken);
                    break;
                }

            case InstructionForm.Jump:
                il.Emit(OpCodes.Ldloc, state);
                il.Emit(OpCodes.Ldc_I8, (long)ins.NearBranchTarget);
                il.Emit(OpCodes.Stfld, Rip);
                break;
            default:
                throw new InvalidOperationException($"untranslatable instruction {ins} emitted");
        }
    }

    /// <summary>
    /// The interpreter's read-modify-write shape: destination read, probed for writing when it is memory
    /// (so a fault comes before the flags change), computed by <paramref name="compute"/> from local
    /// <c>a</c>, and written back when <paramref name="writes"/>.
    /// </summary>
    private void EmitReadModifyWrite(ref Instruction ins, bool writes, Action<int> compute)
    {
        if (ins.Op0Kind == OpKind.Register)
        {
            Register dest = ins.Op0Register;
            int size = Operands.RegisterSize(dest);
            il.Emit(OpCodes.Ldloc, state);
            il.Emit(OpCodes.Ldc_I4, (int)dest);
            il.Emit(OpCodes.Call, ReadRegister);
            il.Emit(OpCodes.Stloc, a);
            compute(size);
            if (writes)
            {
                EmitWriteRegisterFromStack(dest);
            }
            else
            {
                il.Emit(OpCodes.Pop);
            }

            return;
        }

        {
            int size = Operands.MemorySizeBytes(ins.MemorySize);
            EmitEffectiveAddress();
            il.Emit(OpCodes.Stloc, address);
            il.Emit(OpCodes.Ldarg_1);
            il.Emit(OpCodes.Ldloc, address);
            il.Emit(OpCodes.Ldc_I4, size);
            il.Emit(OpCodes.Call, ReadMemory);
            il.Emit(OpCodes.Stloc, a);
            if (writes)
            {
                il.Emit(OpCodes.Ldarg_1);
                il.Emit(OpCodes.Call, GetMemory);
                il.Emit(OpCodes.Ldloc, address);
                il.Emit(OpCodes.Ldc_I4, size);
                il.Emit(OpCodes.Callvirt, ProbeWrite);
            }

            compute(size);
            if (!writes)
            {
                il.Emit(OpCodes.Pop);
                return;
            }

            il.Emit(OpCodes.Stloc, result);
            il.Emit(OpCodes.Ldarg_1);
            il.Emit(OpCodes.Ldloc, address);
            il.Emit(OpCodes.Ldc_I4, size);
            il.Emit(OpCodes.Ldloc, result);
            il.Emit(OpCodes.Call, WriteMemory);
            EmitExitCheck();
        }
    }

    /// <summary>Pushes operand <paramref name="op"/> as a ulong (register, memory or immediate).</summary>
    private void EmitRead(ref Instruction ins, int op)
    {
        switch (ins.GetOpKind(op))
        {
            case OpKind.Register:
                il.Emit(OpCodes.Ldloc, state);
                il.Emit(OpCodes.Ldc_I4, (int)ins.GetOpRegister(op));
                il.Emit(OpCodes.Call, ReadRegister);
                break;
            case OpKind.Memory:
                il.Emit(OpCodes.Ldarg_1);
                EmitEffectiveAddress();
                il.Emit(OpCodes.Ldc_I4, Operands.MemorySizeBytes(ins.MemorySize));
                il.Emit(OpCodes.Call, ReadMemory);
                break;
            default:
                il.Emit(OpCodes.Ldc_I8, (long)ins.GetImmediate(op));
                break;
        }
    }

    /// <summary>Writes the ulong on the stack to a general-purpose register.</summary>
    private void EmitWriteRegisterFromStack(Register register)
    {
        il.Emit(OpCodes.Stloc, result);
        il.Emit(OpCodes.Ldloc, state);
        il.Emit(OpCodes.Ldc_I4, (int)register);
        il.Emit(OpCodes.Ldloc, result);
        il.Emit(OpCodes.Call, WriteRegister);
    }

    private void EmitEffectiveAddress()
    {
        il.Emit(OpCodes.Ldarg_1);
        EmitInstructionRef();
        il.Emit(OpCodes.Call, EffectiveAddress);
    }

    private void EmitInstructionRef()
    {
        il.Emit(OpCodes.Ldarg_0);
        il.Emit(OpCodes.Ldc_I4, index);
        il.Emit(OpCodes.Ldelema, typeof(Instruction));
    }

    private void EmitCondition(ConditionCode cc)
    {
        il.Emit(OpCodes.Ldloc, state);
        il.Emit(OpCodes.Ldc_I4, (int)cc);
        il.Emit(OpCodes.Call, Evaluate);
    }

    /// <summary>After a memory write: if it hit a code page, the block is left with this instruction completed.</summary>
    private void EmitExitCheck()
    {
        Label go = il.DefineLabel();
        il.Emit(OpCodes.Ldarg_1);
        il.Emit(OpCodes.Call, ExitRequested);
        il.Emit(OpCodes.Brfalse, go);
        il.Emit(OpCodes.Ldc_I4, index + 1);
        il.Emit(OpCodes.Ret);
        il.MarkLabel(go);
    }
}
