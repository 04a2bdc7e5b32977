using System.Diagnostics.CodeAnalysis;
using System.Reflection;
using System.Reflection.Emit;
using Cpu.Decode;
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
/// displacement, and memory is reached through a TLB check and host access in the block's own IL (optimized
/// tier; the slow path, out of line, calls <see cref="LinearMemory"/>) or through <see cref="LinearMemory"/>'s
/// sized accessors (quick tier). Flag work that <see cref="FlagLiveness"/> proves dead is left out. A prefix that
/// ends in a branch back to its own start loops inside the method while the budget lasts and nothing
/// (interrupt, stop, code write) asks the CPU to leave.
/// </summary>
public sealed partial class BlockEmitter
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
    private static readonly MethodInfo ExitRequested = typeof(Processor).GetProperty(nameof(Processor.BlockExitRequested), BindingFlags.Instance | BindingFlags.NonPublic | BindingFlags.Public)!.GetMethod!;
    private static readonly MethodInfo MustLeave = typeof(Processor).GetMethod(nameof(Processor.MustLeaveCompiledLoop), BindingFlags.Instance | BindingFlags.NonPublic | BindingFlags.Public)!;
    private static readonly MethodInfo ProbeWrite = typeof(LinearMemory).GetMethod(nameof(LinearMemory.ProbeWrite))!;
    private static readonly MethodInfo PortIn = typeof(SystemInstructions).GetMethod(nameof(SystemInstructions.PortIn))!;
    private static readonly FieldInfo CompiledInFlight = typeof(Processor).GetField(nameof(Processor.CompiledInFlight), BindingFlags.Instance | BindingFlags.NonPublic | BindingFlags.Public)!;
    private static readonly FieldInfo RegionPosition = typeof(Processor).GetField(nameof(Processor.CompiledRegionPosition), BindingFlags.Instance | BindingFlags.NonPublic | BindingFlags.Public)!;
    private static readonly FieldInfo Rip = typeof(CpuState).GetField(nameof(CpuState.Rip))!;
    private static readonly FieldInfo Gpr = typeof(CpuState).GetField(nameof(CpuState.Gpr))!;

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

    /// <summary>The blocks emitted, the entry first: one, or the members of a region (several blocks of a loop).</summary>
    private readonly DecodedBlock[] members;

    /// <summary>Instructions emitted of each member: a prefix of a lone block, every instruction of a region's members.</summary>
    private readonly int[] counts;
    private readonly bool[][] deadFlagsOf;
    private readonly Label[] memberStarts;

    /// <summary>For each member, the member starts its RET or indirect branch is checked against (<see cref="Region.IndirectTargets"/>).</summary>
    private ulong[][]? indirectTargets;

    /// <summary>Where each member's instructions start in the array the method is bound to (its first argument).</summary>
    private readonly int[] instructionBase;
    private readonly CompileTier tier;

    // The member being emitted (SelectMember): its block, instructions, count and dead flags.
    private int member;
    private DecodedBlock block;
    private Instruction[] code;
    private int count;
    private bool[] deadFlags;
    private readonly ILGenerator il;
    private readonly DynamicMethod method;
    private readonly LocalBuilder state;
    private readonly LocalBuilder gpr;
    private readonly LocalBuilder memory;
    private readonly LocalBuilder done;
    private readonly LocalBuilder returned;
    private readonly LocalBuilder passes;
    private readonly LocalBuilder a;
    private readonly LocalBuilder b;
    private readonly LocalBuilder result;
    private readonly LocalBuilder address;
    private readonly LocalBuilder flagLeft;
    private readonly LocalBuilder flagRight;
    private readonly LocalBuilder flagResult;
    private readonly LocalBuilder tlbCurrent;
    private readonly LocalBuilder tlbAsid;
    private readonly LocalBuilder entry;

    /// <summary>The memory accesses' slow paths, emitted after the method's return (BlockEmitter.Memory.cs).</summary>
    private readonly List<(int Member, Action Emit)> slowPaths = [];
    private readonly LocalBuilder?[] registers = new LocalBuilder?[16];
    private readonly bool[] written = new bool[16];

    /// <summary>Registers whose IL local differs from the state at this point of the emission.</summary>
    private readonly bool[] dirty = new bool[16];
    private Label end;
    private int index;
    private FlagProducer producer;
    private FlagProducer previousProducer;
    private int producerSize;

    /// <summary>Data watchpoints may be armed: leave after an instruction whose read hit one.</summary>
    private readonly bool watchReads;

    private BlockEmitter(DecodedBlock[] members, int headCount, CompileTier tier, bool watchReads)
    {
        this.members = members;
        this.tier = tier;
        this.watchReads = watchReads;
        counts = Array.ConvertAll(members, m => m.Count);
        counts[0] = headCount;
        deadFlagsOf = new bool[members.Length][];
        for (int k = 0; k < members.Length; k++)
        {
            deadFlagsOf[k] = FlagLiveness.DeadFlags(members[k].Instructions, counts[k]);
        }

        SelectMember(0);
        method = new DynamicMethod($"guest_{block.LinearStart:x}", typeof(long), [typeof(Instruction[]), typeof(Processor), typeof(long)], typeof(Processor).Module, skipVisibility: true);
        il = method.GetILGenerator();
        memberStarts = new Label[members.Length];
        instructionBase = new int[members.Length];
        for (int k = 1; k < members.Length; k++)
        {
            instructionBase[k] = instructionBase[k - 1] + members[k - 1].Instructions.Length;
        }

        state = il.DeclareLocal(typeof(CpuState));
        gpr = il.DeclareLocal(typeof(ulong[]));
        memory = il.DeclareLocal(typeof(LinearMemory));
        done = il.DeclareLocal(typeof(long));
        returned = il.DeclareLocal(typeof(long));
        passes = il.DeclareLocal(typeof(int));
        a = il.DeclareLocal(typeof(ulong));
        b = il.DeclareLocal(typeof(ulong));
        result = il.DeclareLocal(typeof(ulong));
        address = il.DeclareLocal(typeof(ulong));
        flagLeft = il.DeclareLocal(typeof(ulong));
        flagRight = il.DeclareLocal(typeof(ulong));
        flagResult = il.DeclareLocal(typeof(ulong));
        tlbCurrent = il.DeclareLocal(typeof(nint));
        tlbAsid = il.DeclareLocal(typeof(ulong));
        entry = il.DeclareLocal(typeof(nint));
    }

    /// <summary>
    /// Emits the first <paramref name="count"/> instructions of <paramref name="block"/> (all translatable).
    /// With <paramref name="watchReads"/> the block is left after each instruction that read memory if a
    /// data watchpoint was hit (the #DB trap follows that instruction).
    /// </summary>
    public static CompiledBlockCode Emit(DecodedBlock block, int count, CompileTier tier = CompileTier.Optimized, bool watchReads = false) =>
        new BlockEmitter([block], count, tier, watchReads).EmitMethod();

    /// <summary>
    /// Emits a region (<see cref="RegionFormer"/>): every instruction of its members, entered at the first; a direct
    /// branch or fall-through from one member to another is a branch inside the method, and so is a RET or an
    /// indirect branch whose target is one of the members it is checked against.
    /// </summary>
    public static CompiledBlockCode EmitRegion(Region region, CompileTier tier = CompileTier.Optimized, bool watchReads = false) =>
        new BlockEmitter(region.Members, region.Members[0].Count, tier, watchReads) { indirectTargets = region.IndirectTargets }.EmitMethod();

    /// <summary>True when the method spans several blocks: its fault points and exits say in which (<see cref="Processor.CompiledRegionPosition"/>).</summary>
    private bool IsRegion => members.Length > 1;

    [MemberNotNull(nameof(block), nameof(code), nameof(deadFlags))]
    private void SelectMember(int k)
    {
        member = k;
        block = members[k];
        code = block.Instructions;
        count = counts[k];
        deadFlags = deadFlagsOf[k];
    }

    private CompiledBlockCode EmitMethod()
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
        LoadRegisters();
        il.Emit(OpCodes.Ldc_I8, 0L);
        il.Emit(OpCodes.Stloc, done);
        if (IsRegion)
        {
            // Back edges count down passes; each branch to a member checks the budget (EmitGoTo).
            il.Emit(OpCodes.Ldc_I4, MaxPassesPerEntry);
            il.Emit(OpCodes.Stloc, passes);
        }
        else if (TranslationFrontEnd.LoopsOntoItself(block, count))
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
        for (int k = 0; k < members.Length; k++)
        {
            memberStarts[k] = il.DefineLabel();
        }

        if (IsRegion)
        {
            // Entered at any member: the caller names it in CompiledRegionPosition (member times 65 536).
            il.Emit(OpCodes.Ldarg_1);
            il.Emit(OpCodes.Ldfld, RegionPosition);
            il.Emit(OpCodes.Ldc_I4, 16);
            il.Emit(OpCodes.Shr);
            il.Emit(OpCodes.Switch, memberStarts);
        }

        for (int k = 0; k < members.Length; k++)
        {
            SelectMember(k);
            EmitMember();
        }

        il.MarkLabel(end);
        StoreRegisters();
        il.Emit(OpCodes.Ldloc, returned);
        il.Emit(OpCodes.Ret);
        EmitSlowPaths();

        // Semantic calls pass their decoded instruction by reference from this array: a lone block's own, or the
        // members' one after the other.
        Instruction[] bound = IsRegion ? [.. members.SelectMany(m => m.Instructions)] : members[0].Instructions;
        return method.CreateDelegate<CompiledBlockCode>(bound);
    }

    /// <summary>Emits the selected member from its label on: its instructions, then the way on from its end.</summary>
    private void EmitMember()
    {
        il.MarkLabel(memberStarts[member]);
        if (IsRegion || TranslationFrontEnd.LoopsOntoItself(block, count))
        {
            // A member is reached from the entry and from branches with whatever earlier passes or members
            // changed still only in the locals: nothing is written back on the way, so every register the
            // method may write counts as changed here (the write-backs on the way cover them).
            Array.Copy(written, dirty, dirty.Length);
        }

        producer = FlagProducer.Unknown;
        for (index = 0; index < count; index++)
        {
            ref Instruction ins = ref code[index];
            InstructionForm form = TranslationFrontEnd.Classify(ins);
            if (TranslationFrontEnd.MayFault(ins, form) && !FaultsOnlyInMemoryAccess(ins, form))
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
                EmitTerminalBranch(ref ins, form);
            }
            else
            {
                EmitInstruction(ref ins, form);
                EmitWatchedReadCheck(ref ins, form);
            }
        }

        // The prefix ends without a branch: on into the member that follows, or the interpreter goes on with
        // the next instruction.
        EmitGoTo(code[count - 1].NextIP);
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
}
