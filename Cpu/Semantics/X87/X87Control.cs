using Cpu.State;
using Iced.Intel;
using static Cpu.Semantics.X87.X87Fpu;

namespace Cpu.Semantics.X87;

/// <summary>
/// The x87 control instructions (Intel SDM Vol. 2, each instruction's page; Vol. 1, 8.3.11): initialise,
/// clear exceptions, wait, store and load the control and status words, free a register, move TOP, FNOP
/// and FXCH. The "FN" forms do not check for pending exceptions; their waiting forms (FINIT, FCLEX, FSTSW,
/// FSTCW, which Iced may decode as one instruction with their FWAIT prefix) do.
/// </summary>
public static class X87Control
{
    /// <summary>The status bits FNCLEX clears: the exception flags, SF, ES and B.</summary>
    private const ushort Clearable = 0x80FF;

    /// <summary>Control-word bits that exist (bit 6 reads as one, bits 13-15 as zero).</summary>
    private const ushort ControlWritable = 0x1F3F;
    private const ushort ControlOnes = 0x0040;

    public static void Init(Processor cpu, ref Instruction ins) => Begin(cpu, ins.Mnemonic == Mnemonic.Finit).Initialize();

    public static void Clex(Processor cpu, ref Instruction ins)
    {
        X87State x = Begin(cpu, ins.Mnemonic == Mnemonic.Fclex);
        x.Status &= unchecked((ushort)~Clearable);
    }

    public static void Wait(Processor cpu, ref Instruction ins) => X87Fpu.Wait(cpu);

    public static void Nop(Processor cpu, ref Instruction ins) => Begin(cpu);

    /// <summary>FNSTSW AX / m16.</summary>
    public static void StoreStatus(Processor cpu, ref Instruction ins)
    {
        X87State x = Begin(cpu, ins.Mnemonic == Mnemonic.Fstsw);
        Operands.WriteOperand(cpu, ins, 0, x.Status);
    }

    public static void StoreControl(Processor cpu, ref Instruction ins)
    {
        X87State x = Begin(cpu, ins.Mnemonic == Mnemonic.Fstcw);
        Operands.WriteOperand(cpu, ins, 0, x.Control);
    }

    /// <summary>FLDCW: a flag whose mask it clears becomes pending (ES), faulting at the next waiting instruction (SDM 8.6).</summary>
    public static void LoadControl(Processor cpu, ref Instruction ins)
    {
        X87State x = Begin(cpu);
        x.Control = (ushort)((Operands.ReadOperand(cpu, ins, 0) & ControlWritable) | ControlOnes);
        UpdateSummary(x);
    }

    public static void Free(Processor cpu, ref Instruction ins)
    {
        X87State x = Begin(cpu);
        x.SetTag(x.Physical(StackIndex(ins.Op0Register)), X87State.TagEmpty);

        // C0-C3 are undefined (SDM FFREE); processors clear C1 like the other stack instructions.
        SetC1(x, false);
    }

    public static void IncrementTop(Processor cpu, ref Instruction ins)
    {
        X87State x = Begin(cpu);
        x.Top++;
        SetC1(x, false);
    }

    public static void DecrementTop(Processor cpu, ref Instruction ins)
    {
        X87State x = Begin(cpu);
        x.Top--;
        SetC1(x, false);
    }

    /// <summary>FXCH: an empty register reads as the indefinite when underflow is masked (SDM FXCH).</summary>
    public static void Exchange(Processor cpu, ref Instruction ins)
    {
        X87State x = Begin(cpu, ins);
        int i = ins.OpCount > 1 ? StackIndex(ins.Op1Register) : 1;
        bool empty = IsEmpty(x, 0) || IsEmpty(x, i);
        if (empty && !Underflow(x))
        {
            return;
        }

        Float80 a = IsEmpty(x, 0) ? Indefinite : Get(x, 0);
        Float80 b = IsEmpty(x, i) ? Indefinite : Get(x, i);
        Put(x, 0, b);
        Put(x, i, a);
        SetC1(x, false);
    }
}
