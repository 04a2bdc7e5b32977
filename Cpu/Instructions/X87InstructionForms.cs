using Cpu.Semantics.X87;
using Iced.Intel;
using static Cpu.Instructions.InstructionTraits;

namespace Cpu.Instructions;

/// <summary>
/// The x87 FPU instructions (Intel SDM Vol. 1, chapter 8), by family of semantics (Cpu/Semantics/X87).
/// Every one may fault: #NM with CR0.EM/TS, #MF on a pending unmasked exception, memory faults.
/// </summary>
public static class X87InstructionForms
{
    /// <summary>The two-operand arithmetic: <see cref="X87Arithmetic.Binary"/>.</summary>
    public static readonly Mnemonic[] Arithmetic =
    [
        Mnemonic.Fadd, Mnemonic.Faddp, Mnemonic.Fiadd, Mnemonic.Fsub, Mnemonic.Fsubp, Mnemonic.Fisub, Mnemonic.Fsubr, Mnemonic.Fsubrp,
        Mnemonic.Fisubr, Mnemonic.Fmul, Mnemonic.Fmulp, Mnemonic.Fimul, Mnemonic.Fdiv, Mnemonic.Fdivp, Mnemonic.Fidiv, Mnemonic.Fdivr,
        Mnemonic.Fdivrp, Mnemonic.Fidivr,
    ];

    /// <summary><see cref="X87Compare.Compare"/>.</summary>
    public static readonly Mnemonic[] Comparisons =
    [
        Mnemonic.Fcom, Mnemonic.Fcomp, Mnemonic.Fcompp, Mnemonic.Fucom, Mnemonic.Fucomp, Mnemonic.Fucompp, Mnemonic.Ficom, Mnemonic.Ficomp,
        Mnemonic.Ftst, Mnemonic.Fcomi, Mnemonic.Fcomip, Mnemonic.Fucomi, Mnemonic.Fucomip,
    ];

    /// <summary><see cref="X87Compare.Move"/>.</summary>
    public static readonly Mnemonic[] ConditionalMoves =
    [
        Mnemonic.Fcmovb, Mnemonic.Fcmove, Mnemonic.Fcmovbe, Mnemonic.Fcmovu, Mnemonic.Fcmovnb, Mnemonic.Fcmovne, Mnemonic.Fcmovnbe, Mnemonic.Fcmovnu,
    ];

    public static void Declare(InstructionTableBuilder b)
    {
        b.Declare(X87Control.Init, Code.Fninit, Code.Finit).With(MayFault);
        b.Declare(X87Control.Clex, Code.Fnclex, Code.Fclex).With(MayFault);
        b.Declare(X87Control.Wait, Code.Wait).With(MayFault);
        b.Declare(X87Control.StoreStatus, Code.Fnstsw_AX, Code.Fstsw_AX, Code.Fnstsw_m2byte, Code.Fstsw_m2byte).With(MayFault);
        b.Declare(X87Control.StoreControl, Code.Fnstcw_m2byte, Code.Fstcw_m2byte).With(MayFault);
        b.Declare(X87Control.LoadControl, Code.Fldcw_m2byte).With(MayFault);
        b.Declare(X87Control.Free, Code.Ffree_sti).With(MayFault);
        b.Declare(X87Control.IncrementTop, Code.Fincstp).With(MayFault);
        b.Declare(X87Control.DecrementTop, Code.Fdecstp).With(MayFault);
        b.Declare(X87Control.Nop, Code.Fnop).With(MayFault);
        b.Declare(Mnemonic.Fxch, X87Control.Exchange).With(MayFault);

        b.Declare(Mnemonic.Fld, X87Transfer.Load).With(MayFault);
        b.Declare(Mnemonic.Fst, X87Transfer.Store).With(MayFault);
        b.Declare(Mnemonic.Fstp, X87Transfer.Store).With(MayFault);
        b.Declare(Mnemonic.Fild, X87Transfer.LoadInteger).With(MayFault);
        b.Declare(Mnemonic.Fist, X87Transfer.StoreInteger).With(MayFault);
        b.Declare(Mnemonic.Fistp, X87Transfer.StoreInteger).With(MayFault);
        b.Declare(Mnemonic.Fisttp, X87Transfer.StoreInteger).With(MayFault);
        foreach (Mnemonic m in Arithmetic)
        {
            b.Declare(m, X87Arithmetic.Binary).With(MayFault);
        }

        foreach (Mnemonic m in new[] { Mnemonic.Fchs, Mnemonic.Fabs, Mnemonic.Fsqrt, Mnemonic.Frndint })
        {
            b.Declare(m, X87Arithmetic.Unary).With(MayFault);
        }

        foreach (Mnemonic m in Comparisons)
        {
            b.Declare(m, X87Compare.Compare).With(MayFault);
        }

        b.Declare(Mnemonic.Fscale, X87Scale.Scale).With(MayFault);
        b.Declare(X87Decimal.Load, Code.Fbld_m80bcd).With(MayFault);
        b.Declare(X87Decimal.StorePop, Code.Fbstp_m80bcd).With(MayFault);
        b.Declare(X87Environment.StoreEnvironment, Code.Fnstenv_m14byte, Code.Fnstenv_m28byte).With(MayFault);
        b.Declare(X87Environment.StoreEnvironmentWaiting, Code.Fstenv_m14byte, Code.Fstenv_m28byte).With(MayFault);
        b.Declare(X87Environment.LoadEnvironment, Code.Fldenv_m14byte, Code.Fldenv_m28byte).With(MayFault);
        b.Declare(X87Environment.Save, Code.Fnsave_m94byte, Code.Fnsave_m108byte).With(MayFault);
        b.Declare(X87Environment.SaveWaiting, Code.Fsave_m94byte, Code.Fsave_m108byte).With(MayFault);
        b.Declare(X87Environment.Restore, Code.Frstor_m94byte, Code.Frstor_m108byte).With(MayFault);
        b.Declare(Mnemonic.Fxtract, X87Scale.Extract).With(MayFault);
        b.Declare(Mnemonic.Fprem, X87Remainder.Partial).With(MayFault);
        b.Declare(Mnemonic.Fsin, X87Trigonometry.Sine).With(MayFault);
        b.Declare(Mnemonic.Fcos, X87Trigonometry.Cosine).With(MayFault);
        b.Declare(Mnemonic.Fsincos, X87Trigonometry.SineCosine).With(MayFault);
        b.Declare(Mnemonic.Fptan, X87Trigonometry.Tangent).With(MayFault);
        b.Declare(Mnemonic.F2xm1, X87Logarithm.Exp2Minus1).With(MayFault);
        b.Declare(Mnemonic.Fyl2x, X87Logarithm.YLog2X).With(MayFault);
        b.Declare(Mnemonic.Fyl2xp1, X87Logarithm.YLog2XPlus1).With(MayFault);
        b.Declare(Mnemonic.Fpatan, X87Logarithm.ArcTangent).With(MayFault);
        b.Declare(Mnemonic.Fprem1, X87Remainder.Ieee).With(MayFault);
        b.Declare(Mnemonic.Fxam, X87Compare.Examine).With(MayFault);
        foreach (Mnemonic m in ConditionalMoves)
        {
            b.Declare(m, X87Compare.Move).With(MayFault);
        }

        foreach (Mnemonic m in new[] { Mnemonic.Fldz, Mnemonic.Fld1, Mnemonic.Fldpi, Mnemonic.Fldl2t, Mnemonic.Fldl2e, Mnemonic.Fldlg2, Mnemonic.Fldln2 })
        {
            b.Declare(m, X87Transfer.LoadConstant).With(MayFault);
        }
    }
}
