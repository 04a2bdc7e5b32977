using Cpu.Semantics.Mmx;
using Cpu.Semantics.Sse;
using Iced.Intel;
using static Cpu.Instructions.InstructionTraits;

namespace Cpu.Instructions;

/// <summary>
/// The instructions on MMX registers (legacy encoding): MMX itself and the MMX-register forms of SSE, SSE2
/// and SSSE3, one declaration per mnemonic. The packed operations run the same semantic methods as their
/// XMM forms (Cpu/Semantics/Sse), whose operands are 64 bits wide on MMX registers and enter MMX state
/// (Cpu/Semantics/Mmx/MmxRegisters); the checks are the declarations' guard (<see cref="MmxGuards"/>).
/// </summary>
public static class MmxInstructionForms
{
    public static void Declare(InstructionTableBuilder b)
    {
        Mmx(b, Mnemonic.Emms, MmxMoves.Emms);
        Mmx(b, Mnemonic.Movd, MmxMoves.Move);
        Mmx(b, Mnemonic.Movq, MmxMoves.Move);
        Mmx(b, Mnemonic.Movntq, MmxMoves.Move);
        Mmx(b, Mnemonic.Pand, SseMoves.And);
        Mmx(b, Mnemonic.Pandn, SseMoves.AndNot);
        Mmx(b, Mnemonic.Por, SseMoves.Or);
        Mmx(b, Mnemonic.Pxor, SseMoves.Xor);
        Mmx(b, Mnemonic.Paddb, SseIntegerArithmetic.Paddb);
        Mmx(b, Mnemonic.Paddw, SseIntegerArithmetic.Paddw);
        Mmx(b, Mnemonic.Paddd, SseIntegerArithmetic.Paddd);
        Mmx(b, Mnemonic.Paddq, SseIntegerArithmetic.Paddq);
        Mmx(b, Mnemonic.Psubb, SseIntegerArithmetic.Psubb);
        Mmx(b, Mnemonic.Psubw, SseIntegerArithmetic.Psubw);
        Mmx(b, Mnemonic.Psubd, SseIntegerArithmetic.Psubd);
        Mmx(b, Mnemonic.Psubq, SseIntegerArithmetic.Psubq);
        Mmx(b, Mnemonic.Paddsb, SseIntegerArithmetic.Paddsb);
        Mmx(b, Mnemonic.Paddsw, SseIntegerArithmetic.Paddsw);
        Mmx(b, Mnemonic.Paddusb, SseIntegerArithmetic.Paddusb);
        Mmx(b, Mnemonic.Paddusw, SseIntegerArithmetic.Paddusw);
        Mmx(b, Mnemonic.Psubsb, SseIntegerArithmetic.Psubsb);
        Mmx(b, Mnemonic.Psubsw, SseIntegerArithmetic.Psubsw);
        Mmx(b, Mnemonic.Psubusb, SseIntegerArithmetic.Psubusb);
        Mmx(b, Mnemonic.Psubusw, SseIntegerArithmetic.Psubusw);
        Mmx(b, Mnemonic.Pcmpeqb, SseIntegerArithmetic.Pcmpeqb);
        Mmx(b, Mnemonic.Pcmpeqw, SseIntegerArithmetic.Pcmpeqw);
        Mmx(b, Mnemonic.Pcmpeqd, SseIntegerArithmetic.Pcmpeqd);
        Mmx(b, Mnemonic.Pcmpgtb, SseIntegerArithmetic.Pcmpgtb);
        Mmx(b, Mnemonic.Pcmpgtw, SseIntegerArithmetic.Pcmpgtw);
        Mmx(b, Mnemonic.Pcmpgtd, SseIntegerArithmetic.Pcmpgtd);
        Mmx(b, Mnemonic.Pmullw, SseIntegerArithmetic.Pmullw);
        Mmx(b, Mnemonic.Pmulhw, SseIntegerArithmetic.Pmulhw);
        Mmx(b, Mnemonic.Pmulhuw, SseIntegerArithmetic.Pmulhuw);
        Mmx(b, Mnemonic.Pmuludq, SseIntegerArithmetic.Pmuludq);
        Mmx(b, Mnemonic.Pmaddwd, SseIntegerArithmetic.Pmaddwd);
        Mmx(b, Mnemonic.Packsswb, SseIntegerArithmetic.Packsswb);
        Mmx(b, Mnemonic.Packssdw, SseIntegerArithmetic.Packssdw);
        Mmx(b, Mnemonic.Packuswb, SseIntegerArithmetic.Packuswb);
        Mmx(b, Mnemonic.Punpcklbw, SseShuffles.Punpcklbw);
        Mmx(b, Mnemonic.Punpcklwd, SseShuffles.Punpcklwd);
        Mmx(b, Mnemonic.Punpckldq, SseShuffles.Punpckldq);
        Mmx(b, Mnemonic.Punpckhbw, SseShuffles.Punpckhbw);
        Mmx(b, Mnemonic.Punpckhwd, SseShuffles.Punpckhwd);
        Mmx(b, Mnemonic.Punpckhdq, SseShuffles.Punpckhdq);
        Mmx(b, Mnemonic.Psllw, SseIntegerShifts.Psllw);
        Mmx(b, Mnemonic.Pslld, SseIntegerShifts.Pslld);
        Mmx(b, Mnemonic.Psllq, SseIntegerShifts.Psllq);
        Mmx(b, Mnemonic.Psrlw, SseIntegerShifts.Psrlw);
        Mmx(b, Mnemonic.Psrld, SseIntegerShifts.Psrld);
        Mmx(b, Mnemonic.Psrlq, SseIntegerShifts.Psrlq);
        Mmx(b, Mnemonic.Psraw, SseIntegerShifts.Psraw);
        Mmx(b, Mnemonic.Psrad, SseIntegerShifts.Psrad);

        // The SSE integer instructions on MMX registers (SDM 10.4.4).
        Mmx(b, Mnemonic.Pavgb, SseIntegerArithmetic.Pavgb);
        Mmx(b, Mnemonic.Pavgw, SseIntegerArithmetic.Pavgw);
        Mmx(b, Mnemonic.Pminub, SseIntegerArithmetic.Pminub);
        Mmx(b, Mnemonic.Pmaxub, SseIntegerArithmetic.Pmaxub);
        Mmx(b, Mnemonic.Pminsw, SseIntegerArithmetic.Pminsw);
        Mmx(b, Mnemonic.Pmaxsw, SseIntegerArithmetic.Pmaxsw);
        Mmx(b, Mnemonic.Psadbw, SseIntegerArithmetic.Psadbw);
        Mmx(b, Mnemonic.Pmovmskb, SseMoves.Pmovmskb);
        Mmx(b, Mnemonic.Pextrw, SseShuffles.Pextrw);
        Mmx(b, Mnemonic.Pinsrw, SseShuffles.Pinsrw);

        // PSHUFW shuffles the four words of the source as PSHUFLW does the low four.
        Mmx(b, Mnemonic.Pshufw, SseShuffles.Pshuflw);
        Mmx(b, Mnemonic.Maskmovq, SseMoves.Maskmovdqu);

        // SSSE3.
        Mmx(b, Mnemonic.Pshufb, SseShuffles.Pshufb);
        Mmx(b, Mnemonic.Palignr, SseShuffles.Palignr);
        Mmx(b, Mnemonic.Phaddw, SseHorizontal.Phaddw);
        Mmx(b, Mnemonic.Phaddd, SseHorizontal.Phaddd);
        Mmx(b, Mnemonic.Phaddsw, SseHorizontal.Phaddsw);
        Mmx(b, Mnemonic.Phsubw, SseHorizontal.Phsubw);
        Mmx(b, Mnemonic.Phsubd, SseHorizontal.Phsubd);
        Mmx(b, Mnemonic.Phsubsw, SseHorizontal.Phsubsw);
        Mmx(b, Mnemonic.Pmaddubsw, SseIntegerArithmetic.Pmaddubsw);
        Mmx(b, Mnemonic.Pmulhrsw, SseIntegerArithmetic.Pmulhrsw);
        Mmx(b, Mnemonic.Psignb, SseIntegerArithmetic.Psignb);
        Mmx(b, Mnemonic.Psignw, SseIntegerArithmetic.Psignw);
        Mmx(b, Mnemonic.Psignd, SseIntegerArithmetic.Psignd);
        Mmx(b, Mnemonic.Pabsb, SseIntegerArithmetic.Pabsb);
        Mmx(b, Mnemonic.Pabsw, SseIntegerArithmetic.Pabsw);
        Mmx(b, Mnemonic.Pabsd, SseIntegerArithmetic.Pabsd);

        // Between MMX and XMM registers: SSE-class instructions (CR4.OSFXSR, MXCSR), CVTPD2PI's m128 aligned.
        BetweenMmxAndXmm(b, Mnemonic.Cvtpi2ps, MmxConversions.Cvtpi2ps);
        BetweenMmxAndXmm(b, Mnemonic.Cvtpi2pd, MmxConversions.Cvtpi2pd);
        BetweenMmxAndXmm(b, Mnemonic.Cvtps2pi, MmxConversions.Cvtps2pi);
        BetweenMmxAndXmm(b, Mnemonic.Cvttps2pi, MmxConversions.Cvttps2pi);
        BetweenMmxAndXmm(b, Mnemonic.Cvtpd2pi, MmxConversions.Cvtpd2pi);
        BetweenMmxAndXmm(b, Mnemonic.Cvttpd2pi, MmxConversions.Cvttpd2pi);
        BetweenMmxAndXmm(b, Mnemonic.Movq2dq, MmxMoves.Move);
        BetweenMmxAndXmm(b, Mnemonic.Movdq2q, MmxMoves.Move);
    }

    /// <summary>Declares the MMX-register forms of <paramref name="mnemonic"/> (<see cref="IsMmxForm"/>; EMMS has no operand) with the MMX guard.</summary>
    private static void Mmx(InstructionTableBuilder b, Mnemonic mnemonic, InstructionSemantics semantics) =>
        b.Declare(mnemonic, semantics, i => IsMmxForm(i) || (i.IsInstruction && i.Code == Code.Emms)).With(MayFault).Guarded(MmxGuards.Enabled);

    private static void BetweenMmxAndXmm(InstructionTableBuilder b, Mnemonic mnemonic, InstructionSemantics semantics)
    {
        foreach (Code code in InstructionTableBuilder.CodesOf(mnemonic, IsMmxForm))
        {
            bool aligned = code.ToOpCode().MemorySize.GetSize() == 16;
            b.Declare(semantics, code).With(MayFault).Guarded(aligned ? MmxGuards.SseEnabledAligned : MmxGuards.SseEnabled);
        }
    }

    /// <summary>A legacy-encoded instruction with an MMX register operand (all of them are declared here).</summary>
    public static bool IsMmxForm(OpCodeInfo info)
    {
        if (!info.IsInstruction || info.Encoding != EncodingKind.Legacy)
        {
            return false;
        }

        for (int i = 0; i < info.OpCount; i++)
        {
            if (info.GetOpKind(i) is OpCodeOperandKind.mm_reg or OpCodeOperandKind.mm_rm or OpCodeOperandKind.mm_or_mem)
            {
                return true;
            }
        }

        return false;
    }
}
