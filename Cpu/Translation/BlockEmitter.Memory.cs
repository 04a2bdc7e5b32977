using System.Reflection;
using System.Reflection.Emit;
using Cpu.Instructions;
using Cpu.Semantics;
using Iced.Intel;
using Mmu;
using Mmu.Tlb;
using Label = System.Reflection.Emit.Label;

namespace Cpu.Translation;

// BlockEmitter, part: Memory accesses: the TLB check and host access inline, the slow path out of line.
public sealed partial class BlockEmitter
{
    private static readonly MethodInfo ReadSized = typeof(LinearMemory).GetMethod(nameof(LinearMemory.ReadSized))!;
    private static readonly MethodInfo WriteSized = typeof(LinearMemory).GetMethod(nameof(LinearMemory.WriteSized))!;
    private static readonly MethodInfo CheckCanonical = typeof(Operands).GetMethod(nameof(Operands.CheckCanonical))!;
    private static readonly MethodInfo LinearAddress = typeof(Operands).GetMethod(nameof(Operands.LinearAddress))!;
    private static readonly MethodInfo GetTlb = typeof(LinearMemory).GetProperty(nameof(LinearMemory.Tlb))!.GetMethod!;
    private static readonly FieldInfo TlbCurrent = typeof(SoftTlb).GetField(nameof(SoftTlb.Current))!;
    private static readonly FieldInfo TlbAsid = typeof(SoftTlb).GetField(nameof(SoftTlb.Asid))!;
    private static readonly FieldInfo ReadTag = typeof(TlbEntry).GetField(nameof(TlbEntry.ReadTag))!;
    private static readonly FieldInfo WriteTag = typeof(TlbEntry).GetField(nameof(TlbEntry.WriteTag))!;
    private static readonly FieldInfo HostAddend = typeof(TlbEntry).GetField(nameof(TlbEntry.HostAddend))!;

    /// <summary>
    /// The optimized tier checks the TLB in the block's own IL (QEMU's softmmu shape): a hit is one compare
    /// and a host load or store and cannot fault, so the fault-time state (registers, completed count) is
    /// written only on the out-of-line slow path, before the call that may fault. The quick tier calls
    /// <see cref="LinearMemory"/> for every access (cheaper to compile) after a fault point per instruction.
    /// </summary>
    private bool InlineMemory => tier == CompileTier.Optimized;

    /// <summary>
    /// True when the only way <paramref name="ins"/> can fault is one of its memory accesses (and, in 64-bit
    /// mode, their canonical check): with <see cref="InlineMemory"/> it needs no fault point before it.
    /// </summary>
    private bool FaultsOnlyInMemoryAccess(in Instruction ins, InstructionForm form) =>
        (form is InstructionForm.Push or InstructionForm.Pop or InstructionForm.Call or InstructionForm.Return && InlineStack(ins)) ||
        InlineMemory && !TranslationFrontEnd.Definition(ins).Has(InstructionTraits.MayFault) && form is InstructionForm.Mov
            or InstructionForm.Binary or InstructionForm.Unary or InstructionForm.Shift or InstructionForm.MoveZeroExtend
            or InstructionForm.MoveSignExtend or InstructionForm.Multiply or InstructionForm.SetCondition or InstructionForm.ConditionalMove;

    /// <summary>Reloads the TLB's current first level and address-space id into locals (at entry and after calls that may switch them).</summary>
    private void LoadTlbContext()
    {
        if (!InlineMemory)
        {
            return;
        }

        il.Emit(OpCodes.Ldloc, memory);
        il.Emit(OpCodes.Call, GetTlb);
        il.Emit(OpCodes.Dup);
        il.Emit(OpCodes.Ldfld, TlbCurrent);
        il.Emit(OpCodes.Stloc, tlbCurrent);
        il.Emit(OpCodes.Ldfld, TlbAsid);
        il.Emit(OpCodes.Stloc, tlbAsid);
    }

    /// <summary>Pushes the linear address of the memory operand.</summary>
    private void EmitEffectiveAddress(ref Instruction ins)
    {
        if (!InlineMemory || block.Bitness != 64)
        {
            // Outside 64-bit mode SegmentedAddress cannot fault; in the quick tier it checks canonical form.
            il.Emit(OpCodes.Ldarg_1);
            il.Emit(OpCodes.Ldc_I4, (int)ins.MemorySegment);
            EmitEffectiveOffset(ref ins);
            EmitHelper(SegmentedAddress);
            return;
        }

        // 64-bit mode: only FS and GS add a base. The canonical check is folded into the TLB compare (the
        // TLB holds canonical pages only, so a non-canonical address misses) and made on the slow path.
        if (ins.MemorySegment is Register.FS or Register.GS)
        {
            il.Emit(OpCodes.Ldarg_1);
            il.Emit(OpCodes.Ldc_I4, (int)ins.MemorySegment);
            EmitEffectiveOffset(ref ins);
            EmitHelper(LinearAddress);
            return;
        }

        EmitEffectiveOffset(ref ins);
    }

    /// <summary>Pushes the value at local <c>address</c>, zero-extended to a ulong.</summary>
    private void EmitReadMemory(int size, Register segment = Register.None)
    {
        if (!InlineMemory)
        {
            il.Emit(OpCodes.Ldloc, memory);
            il.Emit(OpCodes.Ldloc, address);
            EmitHelper(Reads[SizeIndex(size)]);
            il.Emit(OpCodes.Conv_U8);
            return;
        }

        Label slow = il.DefineLabel();
        Label join = il.DefineLabel();
        EmitTlbCompare(ReadTag, size, slow);
        EmitHostAddress();
        il.Emit(OpCodes.Unaligned, (byte)1);
        il.Emit(size switch { 1 => OpCodes.Ldind_U1, 2 => OpCodes.Ldind_U2, 4 => OpCodes.Ldind_U4, _ => OpCodes.Ldind_I8 });
        il.Emit(OpCodes.Conv_U8);
        il.MarkLabel(join);
        DeferSlowPath(slow, size, checkCanonical: true, () =>
        {
            il.Emit(OpCodes.Call, ReadSized);
            il.Emit(OpCodes.Br, join);
        }, segment);
    }

    /// <summary>
    /// Writes <paramref name="value"/> at local <c>address</c>. A write that reaches a code page (always the
    /// slow path: such pages are off the TLB's write fast path) leaves the block with this instruction completed.
    /// </summary>
    private void EmitWriteMemory(int size, LocalBuilder value, Register segment = Register.None, bool exitOnCodeWrite = true)
    {
        if (!InlineMemory)
        {
            il.Emit(OpCodes.Ldloc, memory);
            il.Emit(OpCodes.Ldloc, address);
            il.Emit(OpCodes.Ldloc, value);
            EmitTruncate(size);

            EmitHelper(Writes[SizeIndex(size)]);
            EmitExitCheck();
            return;
        }

        Label slow = il.DefineLabel();
        Label join = il.DefineLabel();
        EmitTlbCompare(WriteTag, size, slow);
        EmitHostAddress();
        il.Emit(OpCodes.Ldloc, value);
        EmitTruncate(size);
        il.Emit(OpCodes.Unaligned, (byte)1);
        il.Emit(size switch { 1 => OpCodes.Stind_I1, 2 => OpCodes.Stind_I2, 4 => OpCodes.Stind_I4, _ => OpCodes.Stind_I8 });
        il.MarkLabel(join);
        int at = index;
        DeferSlowPath(slow, size, checkCanonical: true, () =>
        {
            il.Emit(OpCodes.Ldloc, value);
            il.Emit(OpCodes.Call, WriteSized);
            if (!exitOnCodeWrite)
            {
                // The caller finishes the instruction first, then checks (a PUSH's RSP, a CALL's target).
                il.Emit(OpCodes.Br, join);
                return;
            }

            il.Emit(OpCodes.Ldarg_1);
            il.Emit(OpCodes.Call, ExitRequested);
            il.Emit(OpCodes.Brfalse, join);
            EmitExit(code[at].NextIP, at + 1);
        }, segment);
    }

    /// <summary>
    /// PUSH, POP, CALL and RET reach the stack through the inline memory path, RSP in its local, when they move RSP by
    /// one quadword (64-bit mode, no operand-size prefix, no RET imm16 releasing more); otherwise through
    /// <see cref="Stack"/>, after a fault point.
    /// </summary>
    private bool InlineStack(in Instruction ins) =>
        InlineMemory && block.Bitness == 64 && Math.Abs(ins.StackPointerIncrement) == 8;

    /// <summary>
    /// Pushes local <paramref name="value"/> (a quadword): the write at RSP - 8 (a fault leaves RSP as it was), then
    /// RSP. A write to code is checked by the caller once the instruction is complete.
    /// </summary>
    private void EmitInlinePush(LocalBuilder value)
    {
        EmitReadRegister(Register.RSP);
        il.Emit(OpCodes.Ldc_I8, 8L);
        il.Emit(OpCodes.Sub);
        il.Emit(OpCodes.Stloc, address);
        EmitWriteMemory(8, value, Register.SS, exitOnCodeWrite: false);
        il.Emit(OpCodes.Ldloc, address);
        EmitWriteRegister(Register.RSP);
    }

    /// <summary>Local <c>b</c> = the quadword at RSP (a fault leaves RSP as it was), then RSP += <paramref name="release"/>.</summary>
    private void EmitInlinePopIntoB(int release)
    {
        EmitReadRegister(Register.RSP);
        il.Emit(OpCodes.Stloc, address);
        EmitReadMemory(8, Register.SS);
        il.Emit(OpCodes.Stloc, b);
        EmitReadRegister(Register.RSP);
        il.Emit(OpCodes.Ldc_I8, (long)release);
        il.Emit(OpCodes.Add);
        EmitWriteRegister(Register.RSP);
    }

    /// <summary>Truncates the ulong on the stack to an access of <paramref name="size"/> bytes.</summary>
    private void EmitTruncate(int size)
    {
        switch (size)
        {
            case 1: il.Emit(OpCodes.Conv_U1); break;
            case 2: il.Emit(OpCodes.Conv_U2); break;
            case 4: il.Emit(OpCodes.Conv_U4); break;
        }
    }

    /// <summary>
    /// Before a read-modify-write's flag work: checks that the write at local <c>address</c> will succeed
    /// (the read before it made the canonical check), so a fault comes before anything changes.
    /// </summary>
    private void EmitProbeWrite(int size)
    {
        if (!InlineMemory)
        {
            il.Emit(OpCodes.Ldloc, memory);
            il.Emit(OpCodes.Ldloc, address);
            il.Emit(OpCodes.Ldc_I4, size);
            EmitHelper(ProbeWrite);
            return;
        }

        Label slow = il.DefineLabel();
        Label join = il.DefineLabel();
        EmitTlbCompare(WriteTag, size, slow);
        il.MarkLabel(join);
        DeferSlowPath(slow, size, checkCanonical: false, () =>
        {
            il.Emit(OpCodes.Call, ProbeWrite);
            il.Emit(OpCodes.Br, join);
        });
    }

    /// <summary>
    /// Local <c>entry</c> = the first-level TLB entry of local <c>address</c>; branches to <paramref name="slow"/>
    /// unless its <paramref name="tag"/> is the page of the access's last byte with the current address-space
    /// id (as <see cref="LinearMemory"/>'s own fast path: an access that crosses a page, a page that needs the
    /// slow path for this kind of access, and a non-canonical address all miss).
    /// </summary>
    private void EmitTlbCompare(FieldInfo tag, int size, Label slow)
    {
        il.Emit(OpCodes.Ldloc, tlbCurrent);
        il.Emit(OpCodes.Ldloc, address);
        il.Emit(OpCodes.Ldc_I4, SoftTlb.IndexShift);
        il.Emit(OpCodes.Shr_Un);
        il.Emit(OpCodes.Conv_U);
        il.Emit(OpCodes.Ldc_I4, SoftTlb.FirstLevelEntries - 1);
        il.Emit(OpCodes.Conv_U);
        il.Emit(OpCodes.And);
        il.Emit(OpCodes.Sizeof, typeof(TlbEntry));
        il.Emit(OpCodes.Mul);
        il.Emit(OpCodes.Add);
        il.Emit(OpCodes.Stloc, entry);
        il.Emit(OpCodes.Ldloc, entry);
        il.Emit(OpCodes.Ldfld, tag);
        il.Emit(OpCodes.Ldloc, address);
        il.Emit(OpCodes.Ldc_I8, (long)(size - 1));
        il.Emit(OpCodes.Add);
        il.Emit(OpCodes.Ldc_I8, ~0xFFFL);
        il.Emit(OpCodes.And);
        il.Emit(OpCodes.Ldloc, tlbAsid);
        il.Emit(OpCodes.Or);
        il.Emit(OpCodes.Bne_Un, slow);
    }

    /// <summary>Pushes the host address of local <c>address</c> through the TLB entry in local <c>entry</c>.</summary>
    private void EmitHostAddress()
    {
        il.Emit(OpCodes.Ldloc, entry);
        il.Emit(OpCodes.Ldfld, HostAddend);
        il.Emit(OpCodes.Ldloc, address);
        il.Emit(OpCodes.Conv_U);
        il.Emit(OpCodes.Add);
    }

    /// <summary>
    /// Queues the slow path of the access being emitted, placed after the method's return so the hit path
    /// stays straight: the registers changed so far written back and the completed count stored (what a fault
    /// leaves behind), the canonical check in 64-bit mode, then <paramref name="call"/> with the memory, the
    /// address and the size pushed; it goes back or leaves.
    /// </summary>
    private void DeferSlowPath(Label slow, int size, bool checkCanonical, Action call, Register segment = Register.None)
    {
        bool[] changed = (bool[])dirty.Clone();
        int at = index;
        segment = segment == Register.None ? code[at].MemorySegment : segment;
        bool canonical = checkCanonical && block.Bitness == 64;
        slowPaths.Add((member, () =>
        {
            il.MarkLabel(slow);
            WriteBackRegisters(changed);
            EmitCompletedBefore(at);
            if (canonical)
            {
                il.Emit(OpCodes.Ldc_I4, (int)segment);
                il.Emit(OpCodes.Ldloc, address);
                il.Emit(OpCodes.Call, CheckCanonical);
            }

            il.Emit(OpCodes.Ldloc, memory);
            il.Emit(OpCodes.Ldloc, address);
            il.Emit(OpCodes.Ldc_I4, size);
            call();
        }
        ));
    }

    /// <summary>Emits the queued slow paths (after the method's return), each in the context of its member.</summary>
    private void EmitSlowPaths()
    {
        foreach ((int owner, Action slowPath) in slowPaths)
        {
            SelectMember(owner);
            slowPath();
        }
    }
}
