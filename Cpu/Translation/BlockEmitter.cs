using System.Reflection;
using System.Reflection.Emit;
using Cpu.Decode;
using Cpu.Instructions;
using Cpu.Semantics;
using Cpu.State;
using Cpu.System;
using Iced.Intel;
using Mmu;
using Label = System.Reflection.Emit.Label;

namespace Cpu.Translation;

/// <summary>
/// Emits the IL of a block's translatable prefix as a <see cref="DynamicMethod"/>
/// (<see cref="CompiledBlockCode"/>). What an instruction computes comes from the same semantic methods
/// the interpreter uses (Alu, Shifts, MulDiv, Conditions, Stack), called with sizes as constants so the
/// .NET JIT inlines and folds them. Around them the emitter specialises what the interpreter decides per
/// run: the general-purpose registers the block uses live in IL locals (loaded at entry, written back at
/// every exit and by a fault handler), effective addresses are built from constant registers, scale and
/// displacement, and memory goes through <see cref="LinearMemory"/>'s sized accessors whose TLB fast path
/// the .NET JIT inlines. Flag work that <see cref="FlagLiveness"/> proves dead is left out. A prefix that
/// ends in a branch back to its own start loops inside the method while the budget lasts and nothing
/// (interrupt, stop, code write) asks the CPU to leave.
/// </summary>
public sealed class BlockEmitter
{
    /// <summary>
    /// Passes a loop onto itself makes per call before it returns to the dispatcher, which takes pending
    /// interrupts: they wait at most this many passes (device events also end the budget it gets).
    /// </summary>
    public const int MaxPassesPerEntry = 256;

    private const int RspNumber = 4;

    private static readonly MethodInfo SegmentedAddress = typeof(Operands).GetMethod(nameof(Operands.SegmentedAddress))!;
    private static readonly MethodInfo SignExtend = typeof(Operands).GetMethod(nameof(Operands.SignExtend))!;
    private static readonly MethodInfo ImulTwo = typeof(MulDiv).GetMethod(nameof(MulDiv.Imul))!;
    private static readonly MethodInfo Evaluate = typeof(Conditions).GetMethod(nameof(Conditions.Evaluate))!;
    private static readonly MethodInfo Push = typeof(Stack).GetMethod(nameof(Stack.Push))!;
    private static readonly MethodInfo Peek = typeof(Stack).GetMethod(nameof(Stack.Peek))!;
    private static readonly MethodInfo Adjust = typeof(Stack).GetMethod(nameof(Stack.Adjust))!;
    private static readonly MethodInfo GetState = typeof(Processor).GetProperty(nameof(Processor.State))!.GetMethod!;
    private static readonly MethodInfo GetMemory = typeof(Processor).GetProperty(nameof(Processor.Memory))!.GetMethod!;
    private static readonly MethodInfo GetJit = typeof(Processor).GetProperty(nameof(Processor.Jit))!.GetMethod!;
    private static readonly MethodInfo ExitRequested = typeof(Processor).GetProperty(nameof(Processor.BlockExitRequested), BindingFlags.Instance | BindingFlags.NonPublic | BindingFlags.Public)!.GetMethod!;
    private static readonly MethodInfo MustLeave = typeof(Processor).GetMethod(nameof(Processor.MustLeaveCompiledLoop), BindingFlags.Instance | BindingFlags.NonPublic | BindingFlags.Public)!;
    private static readonly MethodInfo ProbeWrite = typeof(LinearMemory).GetMethod(nameof(LinearMemory.ProbeWrite))!;
    private static readonly MethodInfo PortIn = typeof(SystemInstructions).GetMethod(nameof(SystemInstructions.PortIn))!;
    private static readonly FieldInfo CompiledInFlight = typeof(Processor).GetField(nameof(Processor.CompiledInFlight), BindingFlags.Instance | BindingFlags.NonPublic | BindingFlags.Public)!;
    private static readonly FieldInfo Rip = typeof(CpuState).GetField(nameof(CpuState.Rip))!;
    private static readonly FieldInfo Gpr = typeof(CpuState).GetField(nameof(CpuState.Gpr))!;
    private static readonly FieldInfo FaultRetiredField = typeof(TieredCompiler).GetField(nameof(TieredCompiler.FaultRetired))!;

    private static readonly MethodInfo[] Reads =
    [
        typeof(LinearMemory).GetMethod(nameof(LinearMemory.Read8))!,
        typeof(LinearMemory).GetMethod(nameof(LinearMemory.Read16))!,
        typeof(LinearMemory).GetMethod(nameof(LinearMemory.Read32))!,
        typeof(LinearMemory).GetMethod(nameof(LinearMemory.Read64))!,
    ];

    private static readonly MethodInfo[] Writes =
    [
        typeof(LinearMemory).GetMethod(nameof(LinearMemory.Write8))!,
        typeof(LinearMemory).GetMethod(nameof(LinearMemory.Write16))!,
        typeof(LinearMemory).GetMethod(nameof(LinearMemory.Write32))!,
        typeof(LinearMemory).GetMethod(nameof(LinearMemory.Write64))!,
    ];

    private readonly DecodedBlock block;
    private readonly CompileTier tier;
    private readonly Instruction[] code;
    private readonly int count;
    private readonly bool[] deadFlags;
    private readonly ILGenerator il;
    private readonly DynamicMethod method;
    private readonly LocalBuilder state;
    private readonly LocalBuilder gpr;
    private readonly LocalBuilder memory;
    private readonly LocalBuilder done;
    private readonly LocalBuilder jit;
    private readonly LocalBuilder returned;
    private readonly LocalBuilder passes;
    private readonly LocalBuilder a;
    private readonly LocalBuilder b;
    private readonly LocalBuilder result;
    private readonly LocalBuilder address;
    private readonly LocalBuilder flagLeft;
    private readonly LocalBuilder flagRight;
    private readonly LocalBuilder flagResult;
    private readonly LocalBuilder?[] registers = new LocalBuilder?[16];
    private readonly bool[] written = new bool[16];

    /// <summary>Registers whose IL local differs from the state at this point of the emission.</summary>
    private readonly bool[] dirty = new bool[16];
    private Label end;
    private int index;
    private FlagProducer producer;
    private FlagProducer previousProducer;
    private int producerSize;

    private BlockEmitter(DecodedBlock block, int count, CompileTier tier)
    {
        this.block = block;
        this.tier = tier;
        code = block.Instructions;
        this.count = count;
        deadFlags = FlagLiveness.DeadFlags(code, count);
        method = new DynamicMethod($"guest_{block.LinearStart:x}", typeof(long), [typeof(Instruction[]), typeof(Processor), typeof(long)], typeof(Processor).Module, skipVisibility: true);
        il = method.GetILGenerator();
        state = il.DeclareLocal(typeof(CpuState));
        gpr = il.DeclareLocal(typeof(ulong[]));
        memory = il.DeclareLocal(typeof(LinearMemory));
        done = il.DeclareLocal(typeof(long));
        jit = il.DeclareLocal(typeof(TieredCompiler));
        returned = il.DeclareLocal(typeof(long));
        passes = il.DeclareLocal(typeof(int));
        a = il.DeclareLocal(typeof(ulong));
        b = il.DeclareLocal(typeof(ulong));
        result = il.DeclareLocal(typeof(ulong));
        address = il.DeclareLocal(typeof(ulong));
        flagLeft = il.DeclareLocal(typeof(ulong));
        flagRight = il.DeclareLocal(typeof(ulong));
        flagResult = il.DeclareLocal(typeof(ulong));
    }

    /// <summary>Emits the first <paramref name="count"/> instructions of <paramref name="block"/> (all translatable).</summary>
    public static CompiledBlockCode Emit(DecodedBlock block, int count, CompileTier tier = CompileTier.Optimized)
    {
        var e = new BlockEmitter(block, count, tier);
        return e.EmitBlock();
    }

    private CompiledBlockCode EmitBlock()
    {
        CollectRegisters();

        // Called with a null processor the method returns at once: the caller uses that to run the .NET JIT.
        Label start = il.DefineLabel();
        il.Emit(OpCodes.Ldarg_1);
        il.Emit(OpCodes.Brtrue, start);
        il.Emit(OpCodes.Ldc_I8, -1L);
        il.Emit(OpCodes.Ret);
        il.MarkLabel(start);
        il.Emit(OpCodes.Ldarg_1);
        il.Emit(OpCodes.Call, GetState);
        il.Emit(OpCodes.Stloc, state);
        il.Emit(OpCodes.Ldloc, state);
        il.Emit(OpCodes.Ldfld, Gpr);
        il.Emit(OpCodes.Stloc, gpr);
        il.Emit(OpCodes.Ldarg_1);
        il.Emit(OpCodes.Call, GetMemory);
        il.Emit(OpCodes.Stloc, memory);
        il.Emit(OpCodes.Ldarg_1);
        il.Emit(OpCodes.Call, GetJit);
        il.Emit(OpCodes.Stloc, jit);
        LoadRegisters();
        il.Emit(OpCodes.Ldc_I8, 0L);
        il.Emit(OpCodes.Stloc, done);
        if (TranslationFrontEnd.LoopsOntoItself(block, count))
        {
            // The passes this call may make: the budget's whole passes, at most MaxPassesPerEntry (the
            // caller runs the method only when one pass fits), so the back edge counts down one number.
            il.Emit(OpCodes.Ldarg_2);
            il.Emit(OpCodes.Ldc_I8, (long)count);
            il.Emit(OpCodes.Div);
            il.Emit(OpCodes.Ldc_I8, (long)MaxPassesPerEntry);
            il.Emit(OpCodes.Call, typeof(Math).GetMethod(nameof(Math.Min), [typeof(long), typeof(long)])!);
            il.Emit(OpCodes.Conv_I4);
            il.Emit(OpCodes.Stloc, passes);
        }

        end = il.DefineLabel();
        Label top = il.DefineLabel();
        il.MarkLabel(top);
        producer = FlagProducer.Unknown;
        for (index = 0; index < count; index++)
        {
            ref Instruction ins = ref code[index];
            InstructionForm form = TranslationFrontEnd.Classify(ins);
            if (TranslationFrontEnd.MayFault(ins, form))
            {
                EmitFaultPoint();
            }

            previousProducer = producer;
            if (!ConditionFusion.KeepsFlags(form))
            {
                // EmitBinary and EmitUnary name the producer again when they model it.
                producer = FlagProducer.Unknown;
            }

            if (index == count - 1 && form is InstructionForm.ConditionalJump or InstructionForm.Jump)
            {
                EmitTerminalBranch(ref ins, form, top);
            }
            else
            {
                EmitInstruction(ref ins, form);
            }
        }

        // The prefix ends without a branch: the interpreter goes on with the next instruction.
        EmitExit(code[count - 1].NextIP, count);

        il.MarkLabel(end);
        StoreRegisters();
        il.Emit(OpCodes.Ldloc, returned);
        il.Emit(OpCodes.Ret);
        return method.CreateDelegate<CompiledBlockCode>(code);
    }

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
        // One store: done counts whole passes, so the caller finds the index as FaultRetired % count.
        SyncRegisters();
        il.Emit(OpCodes.Ldloc, jit);
        il.Emit(OpCodes.Ldloc, done);
        il.Emit(OpCodes.Ldc_I8, (long)index);
        il.Emit(OpCodes.Add);
        il.Emit(OpCodes.Stfld, FaultRetiredField);
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

            // The next pass starts from clean registers, as the first did.
            SyncRegisters();
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
                    EmitReadModifyWrite(ref ins, true, size =>
                    {
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
                    EmitPopIntoB(size, size);
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
                    // state), then the block leaves for the target. Always the block's last instruction.
                    int size = -ins.StackPointerIncrement;
                    SyncRegisters();
                    il.Emit(OpCodes.Ldarg_1);
                    il.Emit(OpCodes.Ldc_I8, (long)(ins.NextIP & Operands.SizeMask(size)));
                    il.Emit(OpCodes.Ldc_I4, size);
                    EmitHelper(Push);
                    LoadRegisters();
                    EmitExit(ins.NearBranchTarget, index + 1);
                    break;
                }

            case InstructionForm.Return:
                {
                    // RET and RET imm16 as the interpreter does them: read the return address, then release
                    // it (and imm16 bytes); the block leaves for the address read.
                    int increment = ins.StackPointerIncrement;
                    EmitPopIntoB(ins.OpCount == 1 ? increment - ins.Immediate16 : increment, increment);
                    il.Emit(OpCodes.Ldloc, state);
                    il.Emit(OpCodes.Ldloc, b);
                    il.Emit(OpCodes.Stfld, Rip);
                    EmitCompleted(index + 1);
                    break;
                }

            case InstructionForm.PortIn:
                // The device may read the virtual clock, which counts retired instructions: the ones
                // completed before the IN count, as in the interpreter.
                EmitInFlight(true);
                il.Emit(OpCodes.Ldarg_1);
                EmitRead(ref ins, 1);
                il.Emit(OpCodes.Conv_U2);
                il.Emit(OpCodes.Ldc_I4, Operands.RegisterSize(ins.Op0Register));
                EmitHelper(PortIn);
                il.Emit(OpCodes.Conv_U8);
                EmitWriteRegister(ins.Op0Register);
                EmitInFlight(false);
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
    /// method called with the block's decoded instruction (<c>ref code[index]</c>), the registers reloaded.
    /// A branch leaves with the RIP its semantics set; anything else goes on unless it wrote to a code page
    /// or asked for the block to end.
    /// </summary>
    private void EmitCallSemantics(ref Instruction ins)
    {
        InstructionDefinition definition = TranslationFrontEnd.Definition(ins);
        SyncRegisters();
        il.Emit(OpCodes.Ldloc, state);
        il.Emit(OpCodes.Ldc_I8, (long)ins.NextIP);
        il.Emit(OpCodes.Stfld, Rip);
        EmitInFlight(true);
        il.Emit(OpCodes.Ldarg_1);
        il.Emit(OpCodes.Ldarg_0);
        il.Emit(OpCodes.Ldc_I4, index);
        il.Emit(OpCodes.Ldelema, typeof(Instruction));
        EmitHelper(definition.Semantics.Method);
        EmitInFlight(false);
        LoadRegisters();
        if (definition.Has(InstructionTraits.Branch))
        {
            EmitCompleted(index + 1);
            return;
        }

        EmitExitCheck();
    }

    /// <summary>
    /// Before a call that may reach a device or the virtual clock (which counts retired instructions): the
    /// instructions completed before this one count, as in the interpreter; zero again after it.
    /// </summary>
    private void EmitInFlight(bool before)
    {
        il.Emit(OpCodes.Ldarg_1);
        if (before)
        {
            il.Emit(OpCodes.Ldloc, done);
            il.Emit(OpCodes.Ldc_I8, (long)index);
            il.Emit(OpCodes.Add);
        }
        else
        {
            il.Emit(OpCodes.Ldc_I8, 0L);
        }

        il.Emit(OpCodes.Stfld, CompiledInFlight);
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

    /// <summary>
    /// The interpreter's read-modify-write shape: destination read into local <c>a</c>, probed for writing
    /// when it is memory (so a fault comes before the flags change), computed by
    /// <paramref name="compute"/>, and written back when <paramref name="writes"/>.
    /// </summary>
    private void EmitReadModifyWrite(ref Instruction ins, bool writes, Action<int> compute)
    {
        if (ins.Op0Kind == OpKind.Register)
        {
            Register dest = ins.Op0Register;
            EmitReadRegister(dest);
            il.Emit(OpCodes.Stloc, a);
            compute(Operands.RegisterSize(dest));
            if (writes)
            {
                EmitWriteRegister(dest);
            }
            else
            {
                il.Emit(OpCodes.Pop);
            }

            return;
        }

        int size = Operands.MemorySizeBytes(ins.MemorySize);
        EmitEffectiveAddress(ref ins);
        il.Emit(OpCodes.Stloc, address);
        EmitReadMemory(size);
        il.Emit(OpCodes.Stloc, a);
        if (writes)
        {
            il.Emit(OpCodes.Ldloc, memory);
            il.Emit(OpCodes.Ldloc, address);
            il.Emit(OpCodes.Ldc_I4, size);
            EmitHelper(ProbeWrite);
        }

        compute(size);
        if (!writes)
        {
            il.Emit(OpCodes.Pop);
            return;
        }

        il.Emit(OpCodes.Stloc, result);
        EmitWriteMemory(size, result);
    }

    /// <summary>Pushes operand <paramref name="op"/> as a ulong (register, memory or immediate).</summary>
    private void EmitRead(ref Instruction ins, int op)
    {
        switch (ins.GetOpKind(op))
        {
            case OpKind.Register:
                EmitReadRegister(ins.GetOpRegister(op));
                break;
            case OpKind.Memory:
                EmitEffectiveAddress(ref ins);
                il.Emit(OpCodes.Stloc, address);
                EmitReadMemory(Operands.MemorySizeBytes(ins.MemorySize));
                break;
            default:
                il.Emit(OpCodes.Ldc_I8, (long)ins.GetImmediate(op));
                break;
        }
    }

    /// <summary>Pushes the value at local <c>address</c>, zero-extended to a ulong.</summary>
    private void EmitReadMemory(int size)
    {
        il.Emit(OpCodes.Ldloc, memory);
        il.Emit(OpCodes.Ldloc, address);
        EmitHelper(Reads[SizeIndex(size)]);
        il.Emit(OpCodes.Conv_U8);
    }

    /// <summary>Writes <paramref name="value"/> at local <c>address</c>, then leaves the block if it hit a code page.</summary>
    private void EmitWriteMemory(int size, LocalBuilder value)
    {
        il.Emit(OpCodes.Ldloc, memory);
        il.Emit(OpCodes.Ldloc, address);
        il.Emit(OpCodes.Ldloc, value);
        switch (size)
        {
            case 1: il.Emit(OpCodes.Conv_U1); break;
            case 2: il.Emit(OpCodes.Conv_U2); break;
            case 4: il.Emit(OpCodes.Conv_U4); break;
        }

        EmitHelper(Writes[SizeIndex(size)]);
        EmitExitCheck();
    }

    private static int SizeIndex(int size) => size switch
    {
        1 => 0,
        2 => 1,
        4 => 2,
        _ => 3,
    };

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

    private void EmitZeroExtend(int size)
    {
        switch (size)
        {
            case 1: il.Emit(OpCodes.Conv_U1); il.Emit(OpCodes.Conv_U8); break;
            case 2: il.Emit(OpCodes.Conv_U2); il.Emit(OpCodes.Conv_U8); break;
            case 4: il.Emit(OpCodes.Conv_U4); il.Emit(OpCodes.Conv_U8); break;
        }
    }

    private static bool IsHigh8(Register r) => r is Register.AH or Register.CH or Register.DH or Register.BH;

    /// <summary>
    /// Pushes the offset part of the memory operand (what LEA computes; <see cref="Operands.EffectiveOffset"/>
    /// with the registers, scale and displacement known): base + index * scale + displacement, wrapped to
    /// the address size.
    /// </summary>
    private void EmitEffectiveOffset(ref Instruction ins)
    {
        Register baseRegister = ins.MemoryBase;
        Register indexRegister = ins.MemoryIndex;
        ulong displacement = ins.MemoryDisplacement64;
        if (baseRegister == Register.RIP)
        {
            // Iced folds RIP-relative operands into an absolute displacement.
            il.Emit(OpCodes.Ldc_I8, (long)displacement);
            return;
        }

        if (baseRegister == Register.EIP)
        {
            il.Emit(OpCodes.Ldc_I8, (long)(uint)displacement);
            return;
        }

        int width = 8;
        il.Emit(OpCodes.Ldc_I8, (long)displacement);
        if (baseRegister != Register.None)
        {
            EmitReadRegister(baseRegister);
            il.Emit(OpCodes.Add);
            width = Operands.RegisterSize(baseRegister);
        }

        if (indexRegister != Register.None)
        {
            EmitReadRegister(indexRegister);
            if (ins.MemoryIndexScale != 1)
            {
                il.Emit(OpCodes.Ldc_I8, (long)ins.MemoryIndexScale);
                il.Emit(OpCodes.Mul);
            }

            il.Emit(OpCodes.Add);
            width = baseRegister == Register.None ? Operands.RegisterSize(indexRegister) : Math.Max(width, Operands.RegisterSize(indexRegister));
        }

        if (width < 8)
        {
            EmitZeroExtend(width);
        }
    }

    /// <summary>Pushes the linear address of the memory operand (segment base and canonical check as the interpreter does).</summary>
    private void EmitEffectiveAddress(ref Instruction ins)
    {
        il.Emit(OpCodes.Ldarg_1);
        il.Emit(OpCodes.Ldc_I4, (int)ins.MemorySegment);
        EmitEffectiveOffset(ref ins);
        EmitHelper(SegmentedAddress);
    }

    /// <summary>
    /// Calls a shared semantic or memory method: directly when <see cref="CompileTier.Optimized"/> (RyuJIT
    /// inlines it), otherwise through its function pointer, which RyuJIT never inlines and compiles at a
    /// small fraction of the cost. Either way the same method runs.
    /// </summary>
    private void EmitHelper(MethodInfo helper)
    {
        if (tier == CompileTier.Optimized)
        {
            il.Emit(OpCodes.Call, helper);
            return;
        }

        il.Emit(OpCodes.Ldc_I8, (long)helper.MethodHandle.GetFunctionPointer());
        il.Emit(OpCodes.Conv_I);
        Type[] parameters = Array.ConvertAll(helper.GetParameters(), p => p.ParameterType);
        il.EmitCalli(OpCodes.Calli, helper.IsStatic ? CallingConventions.Standard : CallingConventions.HasThis, helper.ReturnType, parameters, null);
    }

    /// <summary>
    /// After a flag-setting semantic call (its masked result on the IL stack, operands in <c>a</c> and
    /// <c>b</c>): keeps operands and result for a condition read later in the block.
    /// </summary>
    private void RecordProducer(FlagProducer kind, int size)
    {
        producer = kind;
        producerSize = size;
        if (kind == FlagProducer.Unknown)
        {
            return;
        }

        il.Emit(OpCodes.Dup);
        il.Emit(OpCodes.Ldc_I8, (long)Operands.SizeMask(size));
        il.Emit(OpCodes.And);
        il.Emit(OpCodes.Stloc, flagResult);
        il.Emit(OpCodes.Ldloc, a);
        il.Emit(OpCodes.Stloc, flagLeft);
        il.Emit(OpCodes.Ldloc, b);
        il.Emit(OpCodes.Stloc, flagRight);
    }

    private void EmitCondition(ConditionCode cc)
    {
        if (EmitFusedCondition(cc))
        {
            return;
        }

        il.Emit(OpCodes.Ldloc, state);
        il.Emit(OpCodes.Ldc_I4, (int)cc);
        EmitHelper(Evaluate);
    }

    /// <summary>
    /// Pushes the condition (int 0 or 1) computed from the last producer's operands and result, as
    /// Intel SDM Appendix B defines it from the flags that producer sets, when the producer is known and
    /// the condition needs only flags it models. Returns false to fall back to the lazy flags.
    /// </summary>
    private bool EmitFusedCondition(ConditionCode cc)
    {
        if (!ConditionFusion.CanFuse(producer, cc))
        {
            return false;
        }

        switch (cc)
        {
            case ConditionCode.e:
            case ConditionCode.ne:
                EmitResultZero();
                Invert(cc == ConditionCode.ne);
                return true;
            case ConditionCode.s:
            case ConditionCode.ns:
                EmitResultSign();
                Invert(cc == ConditionCode.ns);
                return true;
        }

        if (producer == FlagProducer.Logic)
        {
            // CF = OF = 0: B and O never hold, AE and NO always; BE is ZF, L is SF, LE is ZF or SF.
            switch (cc)
            {
                case ConditionCode.b:
                case ConditionCode.o:
                    il.Emit(OpCodes.Ldc_I4_0);
                    return true;
                case ConditionCode.ae:
                case ConditionCode.no:
                    il.Emit(OpCodes.Ldc_I4_1);
                    return true;
                case ConditionCode.be:
                case ConditionCode.a:
                    EmitResultZero();
                    Invert(cc == ConditionCode.a);
                    return true;
                case ConditionCode.l:
                case ConditionCode.ge:
                    EmitResultSign();
                    Invert(cc == ConditionCode.ge);
                    return true;
                default:
                    EmitResultSign();
                    EmitResultZero();
                    il.Emit(OpCodes.Or);
                    Invert(cc == ConditionCode.g);
                    return true;
            }
        }

        // SUB/CMP: CF is left < right unsigned; SF != OF is left < right signed, at the operand size.
        bool signed = cc is ConditionCode.l or ConditionCode.ge or ConditionCode.le or ConditionCode.g;
        EmitOperand(flagLeft, signed);
        EmitOperand(flagRight, signed);
        switch (cc)
        {
            case ConditionCode.b:
            case ConditionCode.ae:
                il.Emit(OpCodes.Clt_Un);
                Invert(cc == ConditionCode.ae);
                break;
            case ConditionCode.a:
            case ConditionCode.be:
                il.Emit(OpCodes.Cgt_Un);
                Invert(cc == ConditionCode.be);
                break;
            case ConditionCode.l:
            case ConditionCode.ge:
                il.Emit(OpCodes.Clt);
                Invert(cc == ConditionCode.ge);
                break;
            default:
                il.Emit(OpCodes.Cgt);
                Invert(cc == ConditionCode.le);
                break;
        }

        return true;
    }

    /// <summary>Pushes a producer operand at the producer's size: masked, or sign-extended to 64 bits.</summary>
    private void EmitOperand(LocalBuilder value, bool signed)
    {
        il.Emit(OpCodes.Ldloc, value);
        if (!signed)
        {
            il.Emit(OpCodes.Ldc_I8, (long)Operands.SizeMask(producerSize));
            il.Emit(OpCodes.And);
            return;
        }

        switch (producerSize)
        {
            case 1: il.Emit(OpCodes.Conv_I1); il.Emit(OpCodes.Conv_I8); break;
            case 2: il.Emit(OpCodes.Conv_I2); il.Emit(OpCodes.Conv_I8); break;
            case 4: il.Emit(OpCodes.Conv_I4); il.Emit(OpCodes.Conv_I8); break;
        }
    }

    /// <summary>Pushes ZF of the producer's (masked) result as int 0 or 1.</summary>
    private void EmitResultZero()
    {
        il.Emit(OpCodes.Ldloc, flagResult);
        il.Emit(OpCodes.Ldc_I8, 0L);
        il.Emit(OpCodes.Ceq);
    }

    /// <summary>Pushes SF of the producer's (masked) result as int 0 or 1.</summary>
    private void EmitResultSign()
    {
        il.Emit(OpCodes.Ldloc, flagResult);
        il.Emit(OpCodes.Ldc_I4, (producerSize * 8) - 1);
        il.Emit(OpCodes.Shr_Un);
        il.Emit(OpCodes.Conv_I4);
        il.Emit(OpCodes.Ldc_I4_1);
        il.Emit(OpCodes.And);
    }

    /// <summary>Turns the int 0 or 1 on the stack into 1 or 0 when <paramref name="invert"/>.</summary>
    private void Invert(bool invert)
    {
        if (invert)
        {
            il.Emit(OpCodes.Ldc_I4_1);
            il.Emit(OpCodes.Xor);
        }
    }

    /// <summary>After a memory write: if it hit a code page, the block is left with this instruction completed.</summary>
    private void EmitExitCheck()
    {
        Label go = il.DefineLabel();
        il.Emit(OpCodes.Ldarg_1);
        il.Emit(OpCodes.Call, ExitRequested);
        il.Emit(OpCodes.Brfalse, go);
        EmitExit(code[index].NextIP, index + 1);
        il.MarkLabel(go);
    }

    /// <summary>Declares an IL local for every general-purpose register the prefix names, and marks those it may write.</summary>
    private void CollectRegisters()
    {
        for (int k = 0; k < count; k++)
        {
            ref Instruction ins = ref code[k];
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
                Use(Register.RSP);
            }

            // Only the first operand is ever written through a local (POP's RSP update and RDX:RAX of
            // MUL/DIV go through the state, and the locals are reloaded after them).
            if (ins.OpCount > 0 && ins.Op0Kind == OpKind.Register && ins.Op0Register.IsGPR())
            {
                written[Operands.RegisterNumber(ins.Op0Register)] = true;
            }
        }
    }

    private void Use(Register register)
    {
        int n = Operands.RegisterNumber(register);
        registers[n] ??= il.DeclareLocal(typeof(ulong));
    }

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
    }

    /// <summary>Writes back the register locals that differ from the state here (straight-line code), and marks them clean.</summary>
    private void SyncRegisters()
    {
        for (int n = 0; n < registers.Length; n++)
        {
            if (dirty[n] && registers[n] is LocalBuilder r)
            {
                il.Emit(OpCodes.Ldloc, gpr);
                il.Emit(OpCodes.Ldc_I4, n);
                il.Emit(OpCodes.Ldloc, r);
                il.Emit(OpCodes.Stelem_I8);
                dirty[n] = false;
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
