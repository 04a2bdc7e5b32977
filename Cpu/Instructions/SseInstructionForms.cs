using Cpu.Semantics.Sse;
using Cpu.System;
using Iced.Intel;
using static Cpu.Instructions.InstructionTraits;

namespace Cpu.Instructions;

/// <summary>
/// The SSE and SSE2 instructions on XMM registers (legacy encoding; the MMX-register forms and VEX forms
/// are not declared and raise #UD), by family of semantics (Cpu/Semantics/Sse), and the x87/SSE state
/// instructions (<see cref="ExtendedState"/>). Each may fault (#UD/#NM by CR0/CR4, #GP on misaligned m128,
/// #XM on an unmasked exception).
/// </summary>
public static class SseInstructionForms
{
    /// <summary>Moves, logic, floating-point arithmetic and comparisons: <see cref="SseInstructions"/>.</summary>
    public static readonly Mnemonic[] General =
    [
        Mnemonic.Movaps, Mnemonic.Movapd, Mnemonic.Movdqa, Mnemonic.Movups, Mnemonic.Movupd, Mnemonic.Movdqu, Mnemonic.Movntps,
        Mnemonic.Movntpd, Mnemonic.Movntdq, Mnemonic.Movss, Mnemonic.Movsd, Mnemonic.Movd, Mnemonic.Movq, Mnemonic.Movlps,
        Mnemonic.Movlpd, Mnemonic.Movhps, Mnemonic.Movhpd, Mnemonic.Movhlps, Mnemonic.Movlhps, Mnemonic.Movmskps, Mnemonic.Movmskpd,
        Mnemonic.Andps, Mnemonic.Andpd, Mnemonic.Pand, Mnemonic.Andnps, Mnemonic.Andnpd, Mnemonic.Pandn, Mnemonic.Orps, Mnemonic.Orpd,
        Mnemonic.Por, Mnemonic.Xorps, Mnemonic.Xorpd, Mnemonic.Pxor,
        Mnemonic.Addss, Mnemonic.Addsd, Mnemonic.Addps, Mnemonic.Addpd, Mnemonic.Subss, Mnemonic.Subsd, Mnemonic.Subps, Mnemonic.Subpd,
        Mnemonic.Mulss, Mnemonic.Mulsd, Mnemonic.Mulps, Mnemonic.Mulpd, Mnemonic.Divss, Mnemonic.Divsd, Mnemonic.Divps, Mnemonic.Divpd,
        Mnemonic.Minss, Mnemonic.Minsd, Mnemonic.Minps, Mnemonic.Minpd, Mnemonic.Maxss, Mnemonic.Maxsd, Mnemonic.Maxps, Mnemonic.Maxpd,
        Mnemonic.Sqrtss, Mnemonic.Sqrtsd, Mnemonic.Sqrtps, Mnemonic.Sqrtpd, Mnemonic.Cmpss, Mnemonic.Cmpsd, Mnemonic.Cmpps, Mnemonic.Cmppd,
        Mnemonic.Comiss, Mnemonic.Ucomiss, Mnemonic.Comisd, Mnemonic.Ucomisd,
    ];

    /// <summary><see cref="SseConversions"/>.</summary>
    public static readonly Mnemonic[] Conversions =
    [
        Mnemonic.Cvtsi2ss, Mnemonic.Cvtsi2sd, Mnemonic.Cvtss2si, Mnemonic.Cvttss2si, Mnemonic.Cvtsd2si, Mnemonic.Cvttsd2si,
        Mnemonic.Cvtss2sd, Mnemonic.Cvtsd2ss, Mnemonic.Cvtdq2ps, Mnemonic.Cvtps2dq, Mnemonic.Cvttps2dq, Mnemonic.Cvtdq2pd,
        Mnemonic.Cvtpd2dq, Mnemonic.Cvttpd2dq, Mnemonic.Cvtps2pd, Mnemonic.Cvtpd2ps,
    ];

    /// <summary><see cref="SseShuffles"/>.</summary>
    public static readonly Mnemonic[] Shuffles =
    [
        Mnemonic.Shufps, Mnemonic.Shufpd, Mnemonic.Pshufd, Mnemonic.Pshuflw, Mnemonic.Pshufhw, Mnemonic.Unpcklps, Mnemonic.Unpckhps,
        Mnemonic.Unpcklpd, Mnemonic.Unpckhpd, Mnemonic.Punpcklbw, Mnemonic.Punpcklwd, Mnemonic.Punpckldq, Mnemonic.Punpcklqdq,
        Mnemonic.Punpckhbw, Mnemonic.Punpckhwd, Mnemonic.Punpckhdq, Mnemonic.Punpckhqdq, Mnemonic.Pslldq, Mnemonic.Psrldq,
        Mnemonic.Pextrw, Mnemonic.Pinsrw,
    ];

    /// <summary><see cref="SseIntegerInstructions"/>.</summary>
    public static readonly Mnemonic[] Integer =
    [
        Mnemonic.Pmovmskb, Mnemonic.Paddb, Mnemonic.Paddw, Mnemonic.Paddd, Mnemonic.Paddq, Mnemonic.Psubb, Mnemonic.Psubw, Mnemonic.Psubd,
        Mnemonic.Psubq, Mnemonic.Paddsb, Mnemonic.Paddsw, Mnemonic.Paddusb, Mnemonic.Paddusw, Mnemonic.Psubsb, Mnemonic.Psubsw,
        Mnemonic.Psubusb, Mnemonic.Psubusw, Mnemonic.Pcmpeqb, Mnemonic.Pcmpeqw, Mnemonic.Pcmpeqd, Mnemonic.Pcmpgtb, Mnemonic.Pcmpgtw,
        Mnemonic.Pcmpgtd, Mnemonic.Pminub, Mnemonic.Pmaxub, Mnemonic.Pminsw, Mnemonic.Pmaxsw, Mnemonic.Pmullw, Mnemonic.Pmulhw,
        Mnemonic.Pmulhuw, Mnemonic.Pmuludq, Mnemonic.Pmaddwd, Mnemonic.Pavgb, Mnemonic.Pavgw, Mnemonic.Psadbw, Mnemonic.Packsswb,
        Mnemonic.Packssdw, Mnemonic.Packuswb, Mnemonic.Psllw, Mnemonic.Pslld, Mnemonic.Psllq, Mnemonic.Psrlw, Mnemonic.Psrld,
        Mnemonic.Psrlq, Mnemonic.Psraw, Mnemonic.Psrad,
    ];

    /// <summary>The state save/restore instructions and LDMXCSR/STMXCSR: <see cref="ExtendedState"/>.</summary>
    public static readonly Mnemonic[] State =
    [
        Mnemonic.Fxsave, Mnemonic.Fxsave64, Mnemonic.Fxrstor, Mnemonic.Fxrstor64, Mnemonic.Xsave, Mnemonic.Xsave64, Mnemonic.Xsaveopt,
        Mnemonic.Xsaveopt64, Mnemonic.Xsavec, Mnemonic.Xsavec64, Mnemonic.Xrstor, Mnemonic.Xrstor64, Mnemonic.Ldmxcsr, Mnemonic.Stmxcsr,
    ];

    public static void Declare(InstructionTableBuilder b)
    {
        foreach (Mnemonic m in General)
        {
            b.Declare(m, SseInstructions.Execute, IsSseXmmForm).With(MayFault);
        }

        foreach (Mnemonic m in Conversions)
        {
            b.Declare(m, SseConversions.Execute, IsSseXmmForm).With(MayFault);
        }

        foreach (Mnemonic m in Shuffles)
        {
            b.Declare(m, SseShuffles.Execute, IsSseXmmForm).With(MayFault);
        }

        foreach (Mnemonic m in Integer)
        {
            b.Declare(m, SseIntegerInstructions.Execute, IsSseXmmForm).With(MayFault);
        }

        foreach (Mnemonic m in State)
        {
            b.Declare(m, ExtendedState.Execute, IsLegacy).With(MayFault);
        }
    }

    /// <summary>
    /// An SSE or SSE2 form with XMM operands (legacy encoding, valid in 64-bit mode, no MMX register): what
    /// the semantics of this file implement. Also excludes the string MOVSD/CMPSD, declared elsewhere.
    /// </summary>
    public static bool IsSseXmmForm(OpCodeInfo info)
    {
        if (!IsLegacy(info) || !info.Code.CpuidFeatures().All(f => f is CpuidFeature.SSE or CpuidFeature.SSE2))
        {
            return false;
        }

        bool xmm = false;
        for (int i = 0; i < info.OpCount; i++)
        {
            OpCodeOperandKind k = info.GetOpKind(i);
            if (k is OpCodeOperandKind.mm_reg or OpCodeOperandKind.mm_rm or OpCodeOperandKind.mm_or_mem)
            {
                return false;
            }

            xmm |= k is OpCodeOperandKind.xmm_reg or OpCodeOperandKind.xmm_rm or OpCodeOperandKind.xmm_or_mem;
        }

        return xmm;
    }

    private static bool IsLegacy(OpCodeInfo info) => info.IsInstruction && info.Encoding == EncodingKind.Legacy;
}
