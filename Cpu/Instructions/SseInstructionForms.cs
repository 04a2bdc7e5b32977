using Cpu.Semantics.Sse;
using Cpu.System;
using Iced.Intel;
using static Cpu.Instructions.InstructionTraits;

namespace Cpu.Instructions;

/// <summary>
/// The SSE, SSE2, SSE3, SSSE3, SSE4.1 and SSE4.2 instructions on XMM registers (legacy encoding; the VEX forms are not declared and
/// raise #UD), one declaration per mnemonic with its semantic method in Cpu/Semantics/Sse, and the x87/SSE
/// state instructions (<see cref="ExtendedState"/>). The shared checks (#UD/#NM by CR0/CR4, #GP on a
/// misaligned m128) are the declarations' guard (<see cref="SseGuards"/>); #XM comes from the semantics.
/// </summary>
public static class SseInstructionForms
{
    /// <summary>The extensions whose XMM forms <see cref="IsSimdXmmForm"/> admits.</summary>
    private static readonly CpuidFeature[] Extensions =
    [
        CpuidFeature.SSE, CpuidFeature.SSE2, CpuidFeature.SSE3, CpuidFeature.SSSE3, CpuidFeature.SSE4_1, CpuidFeature.SSE4_2,
    ];

    public static void Declare(InstructionTableBuilder b)
    {
        Xmm(b, Mnemonic.Movaps, SseMoves.Move128);
        Xmm(b, Mnemonic.Movapd, SseMoves.Move128);
        Xmm(b, Mnemonic.Movdqa, SseMoves.Move128);
        Xmm(b, Mnemonic.Movntps, SseMoves.Move128);
        Xmm(b, Mnemonic.Movntpd, SseMoves.Move128);
        Xmm(b, Mnemonic.Movntdq, SseMoves.Move128);
        Xmm(b, Mnemonic.Movups, SseMoves.Move128, unaligned: true);
        Xmm(b, Mnemonic.Movupd, SseMoves.Move128, unaligned: true);
        Xmm(b, Mnemonic.Movdqu, SseMoves.Move128, unaligned: true);
        Xmm(b, Mnemonic.Movss, SseMoves.MoveScalarSingle);
        Xmm(b, Mnemonic.Movsd, SseMoves.MoveScalarDouble);
        Xmm(b, Mnemonic.Movd, SseMoves.MoveToOrFromXmm);
        Xmm(b, Mnemonic.Movq, SseMoves.MoveToOrFromXmm);
        Xmm(b, Mnemonic.Movlps, SseMoves.MoveLow);
        Xmm(b, Mnemonic.Movlpd, SseMoves.MoveLow);
        Xmm(b, Mnemonic.Movhps, SseMoves.MoveHigh);
        Xmm(b, Mnemonic.Movhpd, SseMoves.MoveHigh);
        Xmm(b, Mnemonic.Movhlps, SseMoves.Movhlps);
        Xmm(b, Mnemonic.Movlhps, SseMoves.Movlhps);
        Xmm(b, Mnemonic.Movmskps, SseMoves.Movmskps);
        Xmm(b, Mnemonic.Movmskpd, SseMoves.Movmskpd);
        Xmm(b, Mnemonic.Pmovmskb, SseMoves.Pmovmskb);
        Xmm(b, Mnemonic.Andps, SseMoves.And);
        Xmm(b, Mnemonic.Andpd, SseMoves.And);
        Xmm(b, Mnemonic.Pand, SseMoves.And);
        Xmm(b, Mnemonic.Andnps, SseMoves.AndNot);
        Xmm(b, Mnemonic.Andnpd, SseMoves.AndNot);
        Xmm(b, Mnemonic.Pandn, SseMoves.AndNot);
        Xmm(b, Mnemonic.Orps, SseMoves.Or);
        Xmm(b, Mnemonic.Orpd, SseMoves.Or);
        Xmm(b, Mnemonic.Por, SseMoves.Or);
        Xmm(b, Mnemonic.Xorps, SseMoves.Xor);
        Xmm(b, Mnemonic.Xorpd, SseMoves.Xor);
        Xmm(b, Mnemonic.Pxor, SseMoves.Xor);
        Xmm(b, Mnemonic.Addss, SseArithmetic.Addss);
        Xmm(b, Mnemonic.Addsd, SseArithmetic.Addsd);
        Xmm(b, Mnemonic.Addps, SseArithmetic.Addps);
        Xmm(b, Mnemonic.Addpd, SseArithmetic.Addpd);
        Xmm(b, Mnemonic.Subss, SseArithmetic.Subss);
        Xmm(b, Mnemonic.Subsd, SseArithmetic.Subsd);
        Xmm(b, Mnemonic.Subps, SseArithmetic.Subps);
        Xmm(b, Mnemonic.Subpd, SseArithmetic.Subpd);
        Xmm(b, Mnemonic.Mulss, SseArithmetic.Mulss);
        Xmm(b, Mnemonic.Mulsd, SseArithmetic.Mulsd);
        Xmm(b, Mnemonic.Mulps, SseArithmetic.Mulps);
        Xmm(b, Mnemonic.Mulpd, SseArithmetic.Mulpd);
        Xmm(b, Mnemonic.Divss, SseArithmetic.Divss);
        Xmm(b, Mnemonic.Divsd, SseArithmetic.Divsd);
        Xmm(b, Mnemonic.Divps, SseArithmetic.Divps);
        Xmm(b, Mnemonic.Divpd, SseArithmetic.Divpd);
        Xmm(b, Mnemonic.Minss, SseArithmetic.Minss);
        Xmm(b, Mnemonic.Minsd, SseArithmetic.Minsd);
        Xmm(b, Mnemonic.Minps, SseArithmetic.Minps);
        Xmm(b, Mnemonic.Minpd, SseArithmetic.Minpd);
        Xmm(b, Mnemonic.Maxss, SseArithmetic.Maxss);
        Xmm(b, Mnemonic.Maxsd, SseArithmetic.Maxsd);
        Xmm(b, Mnemonic.Maxps, SseArithmetic.Maxps);
        Xmm(b, Mnemonic.Maxpd, SseArithmetic.Maxpd);
        Xmm(b, Mnemonic.Sqrtss, SseArithmetic.Sqrtss);
        Xmm(b, Mnemonic.Sqrtsd, SseArithmetic.Sqrtsd);
        Xmm(b, Mnemonic.Sqrtps, SseArithmetic.Sqrtps);
        Xmm(b, Mnemonic.Sqrtpd, SseArithmetic.Sqrtpd);
        Xmm(b, Mnemonic.Cmpss, SseArithmetic.Cmpss);
        Xmm(b, Mnemonic.Cmpsd, SseArithmetic.Cmpsd);
        Xmm(b, Mnemonic.Cmpps, SseArithmetic.Cmpps);
        Xmm(b, Mnemonic.Cmppd, SseArithmetic.Cmppd);
        Xmm(b, Mnemonic.Comiss, SseArithmetic.Comiss);
        Xmm(b, Mnemonic.Ucomiss, SseArithmetic.Ucomiss);
        Xmm(b, Mnemonic.Comisd, SseArithmetic.Comisd);
        Xmm(b, Mnemonic.Ucomisd, SseArithmetic.Ucomisd);
        Xmm(b, Mnemonic.Cvtsi2ss, SseConversions.Cvtsi2ss);
        Xmm(b, Mnemonic.Cvtsi2sd, SseConversions.Cvtsi2sd);
        Xmm(b, Mnemonic.Cvtss2si, SseConversions.Cvtss2si);
        Xmm(b, Mnemonic.Cvttss2si, SseConversions.Cvttss2si);
        Xmm(b, Mnemonic.Cvtsd2si, SseConversions.Cvtsd2si);
        Xmm(b, Mnemonic.Cvttsd2si, SseConversions.Cvttsd2si);
        Xmm(b, Mnemonic.Cvtss2sd, SseConversions.Cvtss2sd);
        Xmm(b, Mnemonic.Cvtsd2ss, SseConversions.Cvtsd2ss);
        Xmm(b, Mnemonic.Cvtdq2ps, SseConversions.Cvtdq2ps);
        Xmm(b, Mnemonic.Cvtps2dq, SseConversions.Cvtps2dq);
        Xmm(b, Mnemonic.Cvttps2dq, SseConversions.Cvttps2dq);
        Xmm(b, Mnemonic.Cvtdq2pd, SseConversions.Cvtdq2pd);
        Xmm(b, Mnemonic.Cvtpd2dq, SseConversions.Cvtpd2dq);
        Xmm(b, Mnemonic.Cvttpd2dq, SseConversions.Cvttpd2dq);
        Xmm(b, Mnemonic.Cvtps2pd, SseConversions.Cvtps2pd);
        Xmm(b, Mnemonic.Cvtpd2ps, SseConversions.Cvtpd2ps);
        Xmm(b, Mnemonic.Shufps, SseShuffles.Shufps);
        Xmm(b, Mnemonic.Shufpd, SseShuffles.Shufpd);
        Xmm(b, Mnemonic.Pshufd, SseShuffles.Pshufd);
        Xmm(b, Mnemonic.Pshuflw, SseShuffles.Pshuflw);
        Xmm(b, Mnemonic.Pshufhw, SseShuffles.Pshufhw);
        Xmm(b, Mnemonic.Unpcklps, SseShuffles.Unpcklps);
        Xmm(b, Mnemonic.Unpckhps, SseShuffles.Unpckhps);
        Xmm(b, Mnemonic.Unpcklpd, SseShuffles.Unpcklpd);
        Xmm(b, Mnemonic.Unpckhpd, SseShuffles.Unpckhpd);
        Xmm(b, Mnemonic.Punpcklbw, SseShuffles.Punpcklbw);
        Xmm(b, Mnemonic.Punpcklwd, SseShuffles.Punpcklwd);
        Xmm(b, Mnemonic.Punpckldq, SseShuffles.Punpckldq);
        Xmm(b, Mnemonic.Punpcklqdq, SseShuffles.Punpcklqdq);
        Xmm(b, Mnemonic.Punpckhbw, SseShuffles.Punpckhbw);
        Xmm(b, Mnemonic.Punpckhwd, SseShuffles.Punpckhwd);
        Xmm(b, Mnemonic.Punpckhdq, SseShuffles.Punpckhdq);
        Xmm(b, Mnemonic.Punpckhqdq, SseShuffles.Punpckhqdq);
        Xmm(b, Mnemonic.Pslldq, SseShuffles.Pslldq);
        Xmm(b, Mnemonic.Psrldq, SseShuffles.Psrldq);
        Xmm(b, Mnemonic.Pextrw, SseShuffles.Pextrw);
        Xmm(b, Mnemonic.Pinsrw, SseShuffles.Pinsrw);
        Xmm(b, Mnemonic.Paddb, SseIntegerArithmetic.Paddb);
        Xmm(b, Mnemonic.Paddw, SseIntegerArithmetic.Paddw);
        Xmm(b, Mnemonic.Paddd, SseIntegerArithmetic.Paddd);
        Xmm(b, Mnemonic.Paddq, SseIntegerArithmetic.Paddq);
        Xmm(b, Mnemonic.Psubb, SseIntegerArithmetic.Psubb);
        Xmm(b, Mnemonic.Psubw, SseIntegerArithmetic.Psubw);
        Xmm(b, Mnemonic.Psubd, SseIntegerArithmetic.Psubd);
        Xmm(b, Mnemonic.Psubq, SseIntegerArithmetic.Psubq);
        Xmm(b, Mnemonic.Paddsb, SseIntegerArithmetic.Paddsb);
        Xmm(b, Mnemonic.Paddsw, SseIntegerArithmetic.Paddsw);
        Xmm(b, Mnemonic.Paddusb, SseIntegerArithmetic.Paddusb);
        Xmm(b, Mnemonic.Paddusw, SseIntegerArithmetic.Paddusw);
        Xmm(b, Mnemonic.Psubsb, SseIntegerArithmetic.Psubsb);
        Xmm(b, Mnemonic.Psubsw, SseIntegerArithmetic.Psubsw);
        Xmm(b, Mnemonic.Psubusb, SseIntegerArithmetic.Psubusb);
        Xmm(b, Mnemonic.Psubusw, SseIntegerArithmetic.Psubusw);
        Xmm(b, Mnemonic.Pcmpeqb, SseIntegerArithmetic.Pcmpeqb);
        Xmm(b, Mnemonic.Pcmpeqw, SseIntegerArithmetic.Pcmpeqw);
        Xmm(b, Mnemonic.Pcmpeqd, SseIntegerArithmetic.Pcmpeqd);
        Xmm(b, Mnemonic.Pcmpgtb, SseIntegerArithmetic.Pcmpgtb);
        Xmm(b, Mnemonic.Pcmpgtw, SseIntegerArithmetic.Pcmpgtw);
        Xmm(b, Mnemonic.Pcmpgtd, SseIntegerArithmetic.Pcmpgtd);
        Xmm(b, Mnemonic.Pminub, SseIntegerArithmetic.Pminub);
        Xmm(b, Mnemonic.Pmaxub, SseIntegerArithmetic.Pmaxub);
        Xmm(b, Mnemonic.Pminsw, SseIntegerArithmetic.Pminsw);
        Xmm(b, Mnemonic.Pmaxsw, SseIntegerArithmetic.Pmaxsw);
        Xmm(b, Mnemonic.Pmullw, SseIntegerArithmetic.Pmullw);
        Xmm(b, Mnemonic.Pmulhw, SseIntegerArithmetic.Pmulhw);
        Xmm(b, Mnemonic.Pmulhuw, SseIntegerArithmetic.Pmulhuw);
        Xmm(b, Mnemonic.Pmuludq, SseIntegerArithmetic.Pmuludq);
        Xmm(b, Mnemonic.Pmaddwd, SseIntegerArithmetic.Pmaddwd);
        Xmm(b, Mnemonic.Pavgb, SseIntegerArithmetic.Pavgb);
        Xmm(b, Mnemonic.Pavgw, SseIntegerArithmetic.Pavgw);
        Xmm(b, Mnemonic.Psadbw, SseIntegerArithmetic.Psadbw);
        Xmm(b, Mnemonic.Packsswb, SseIntegerArithmetic.Packsswb);
        Xmm(b, Mnemonic.Packssdw, SseIntegerArithmetic.Packssdw);
        Xmm(b, Mnemonic.Packuswb, SseIntegerArithmetic.Packuswb);
        Xmm(b, Mnemonic.Psllw, SseIntegerShifts.Psllw);
        Xmm(b, Mnemonic.Pslld, SseIntegerShifts.Pslld);
        Xmm(b, Mnemonic.Psllq, SseIntegerShifts.Psllq);
        Xmm(b, Mnemonic.Psrlw, SseIntegerShifts.Psrlw);
        Xmm(b, Mnemonic.Psrld, SseIntegerShifts.Psrld);
        Xmm(b, Mnemonic.Psrlq, SseIntegerShifts.Psrlq);
        Xmm(b, Mnemonic.Psraw, SseIntegerShifts.Psraw);
        Xmm(b, Mnemonic.Psrad, SseIntegerShifts.Psrad);
        Xmm(b, Mnemonic.Rcpps, SseApproximations.Rcpps);
        Xmm(b, Mnemonic.Rcpss, SseApproximations.Rcpss);
        Xmm(b, Mnemonic.Rsqrtps, SseApproximations.Rsqrtps);
        Xmm(b, Mnemonic.Rsqrtss, SseApproximations.Rsqrtss);
        Xmm(b, Mnemonic.Maskmovdqu, SseMoves.Maskmovdqu, unaligned: true);
        DeclareExtensions(b);

        // The state save/restore instructions and LDMXCSR/STMXCSR: ExtendedState, which makes its own checks.
        State(b, ExtendedState.Fxsave, Mnemonic.Fxsave, Mnemonic.Fxsave64);
        State(b, ExtendedState.Fxrstor, Mnemonic.Fxrstor, Mnemonic.Fxrstor64);
        State(b, ExtendedState.Xsave, Mnemonic.Xsave, Mnemonic.Xsave64, Mnemonic.Xsaveopt, Mnemonic.Xsaveopt64);
        State(b, ExtendedState.Xsavec, Mnemonic.Xsavec, Mnemonic.Xsavec64);
        State(b, ExtendedState.Xrstor, Mnemonic.Xrstor, Mnemonic.Xrstor64);
        State(b, ExtendedState.Ldmxcsr, Mnemonic.Ldmxcsr);
        State(b, ExtendedState.Stmxcsr, Mnemonic.Stmxcsr);
    }

    private static void State(InstructionTableBuilder b, InstructionSemantics semantics, params Mnemonic[] mnemonics)
    {
        foreach (Mnemonic m in mnemonics)
        {
            b.Declare(m, semantics, IsLegacy).With(MayFault);
        }
    }

    /// <summary>The XMM forms of SSE3, SSSE3, SSE4.1 and SSE4.2 (PCMPxSTRx take unaligned memory, SDM 12.10.3).</summary>
    private static void DeclareExtensions(InstructionTableBuilder b)
    {
        // SSE3.
        Xmm(b, Mnemonic.Addsubps, SseHorizontal.Addsubps);
        Xmm(b, Mnemonic.Addsubpd, SseHorizontal.Addsubpd);
        Xmm(b, Mnemonic.Haddps, SseHorizontal.Haddps);
        Xmm(b, Mnemonic.Haddpd, SseHorizontal.Haddpd);
        Xmm(b, Mnemonic.Hsubps, SseHorizontal.Hsubps);
        Xmm(b, Mnemonic.Hsubpd, SseHorizontal.Hsubpd);
        Xmm(b, Mnemonic.Movsldup, SseShuffles.Movsldup);
        Xmm(b, Mnemonic.Movshdup, SseShuffles.Movshdup);
        Xmm(b, Mnemonic.Movddup, SseShuffles.Movddup);
        Xmm(b, Mnemonic.Lddqu, SseMoves.Move128, unaligned: true);

        // SSSE3.
        Xmm(b, Mnemonic.Pshufb, SseShuffles.Pshufb);
        Xmm(b, Mnemonic.Palignr, SseShuffles.Palignr);
        Xmm(b, Mnemonic.Phaddw, SseHorizontal.Phaddw);
        Xmm(b, Mnemonic.Phaddd, SseHorizontal.Phaddd);
        Xmm(b, Mnemonic.Phaddsw, SseHorizontal.Phaddsw);
        Xmm(b, Mnemonic.Phsubw, SseHorizontal.Phsubw);
        Xmm(b, Mnemonic.Phsubd, SseHorizontal.Phsubd);
        Xmm(b, Mnemonic.Phsubsw, SseHorizontal.Phsubsw);
        Xmm(b, Mnemonic.Pmaddubsw, SseIntegerArithmetic.Pmaddubsw);
        Xmm(b, Mnemonic.Pmulhrsw, SseIntegerArithmetic.Pmulhrsw);
        Xmm(b, Mnemonic.Psignb, SseIntegerArithmetic.Psignb);
        Xmm(b, Mnemonic.Psignw, SseIntegerArithmetic.Psignw);
        Xmm(b, Mnemonic.Psignd, SseIntegerArithmetic.Psignd);
        Xmm(b, Mnemonic.Pabsb, SseIntegerArithmetic.Pabsb);
        Xmm(b, Mnemonic.Pabsw, SseIntegerArithmetic.Pabsw);
        Xmm(b, Mnemonic.Pabsd, SseIntegerArithmetic.Pabsd);

        // SSE4.1.
        Xmm(b, Mnemonic.Pmovsxbw, SseBlends.Pmovsxbw);
        Xmm(b, Mnemonic.Pmovsxbd, SseBlends.Pmovsxbd);
        Xmm(b, Mnemonic.Pmovsxbq, SseBlends.Pmovsxbq);
        Xmm(b, Mnemonic.Pmovsxwd, SseBlends.Pmovsxwd);
        Xmm(b, Mnemonic.Pmovsxwq, SseBlends.Pmovsxwq);
        Xmm(b, Mnemonic.Pmovsxdq, SseBlends.Pmovsxdq);
        Xmm(b, Mnemonic.Pmovzxbw, SseBlends.Pmovzxbw);
        Xmm(b, Mnemonic.Pmovzxbd, SseBlends.Pmovzxbd);
        Xmm(b, Mnemonic.Pmovzxbq, SseBlends.Pmovzxbq);
        Xmm(b, Mnemonic.Pmovzxwd, SseBlends.Pmovzxwd);
        Xmm(b, Mnemonic.Pmovzxwq, SseBlends.Pmovzxwq);
        Xmm(b, Mnemonic.Pmovzxdq, SseBlends.Pmovzxdq);
        Xmm(b, Mnemonic.Blendps, SseBlends.Blendps);
        Xmm(b, Mnemonic.Blendpd, SseBlends.Blendpd);
        Xmm(b, Mnemonic.Pblendw, SseBlends.Pblendw);
        Xmm(b, Mnemonic.Blendvps, SseBlends.Blendvps);
        Xmm(b, Mnemonic.Blendvpd, SseBlends.Blendvpd);
        Xmm(b, Mnemonic.Pblendvb, SseBlends.Pblendvb);
        Xmm(b, Mnemonic.Pminsb, SseIntegerArithmetic.Pminsb);
        Xmm(b, Mnemonic.Pmaxsb, SseIntegerArithmetic.Pmaxsb);
        Xmm(b, Mnemonic.Pminuw, SseIntegerArithmetic.Pminuw);
        Xmm(b, Mnemonic.Pmaxuw, SseIntegerArithmetic.Pmaxuw);
        Xmm(b, Mnemonic.Pminsd, SseIntegerArithmetic.Pminsd);
        Xmm(b, Mnemonic.Pmaxsd, SseIntegerArithmetic.Pmaxsd);
        Xmm(b, Mnemonic.Pminud, SseIntegerArithmetic.Pminud);
        Xmm(b, Mnemonic.Pmaxud, SseIntegerArithmetic.Pmaxud);
        Xmm(b, Mnemonic.Pmulld, SseIntegerArithmetic.Pmulld);
        Xmm(b, Mnemonic.Pmuldq, SseIntegerArithmetic.Pmuldq);
        Xmm(b, Mnemonic.Pcmpeqq, SseIntegerArithmetic.Pcmpeqq);
        Xmm(b, Mnemonic.Packusdw, SseIntegerArithmetic.Packusdw);
        Xmm(b, Mnemonic.Ptest, SseIntegerArithmetic.Ptest);
        Xmm(b, Mnemonic.Pextrb, SseInsertExtract.Pextrb);
        Xmm(b, Mnemonic.Pextrd, SseInsertExtract.Pextrd);
        Xmm(b, Mnemonic.Pextrq, SseInsertExtract.Pextrq);
        Xmm(b, Mnemonic.Extractps, SseInsertExtract.Extractps);
        Xmm(b, Mnemonic.Pinsrb, SseInsertExtract.Pinsrb);
        Xmm(b, Mnemonic.Pinsrd, SseInsertExtract.Pinsrd);
        Xmm(b, Mnemonic.Pinsrq, SseInsertExtract.Pinsrq);
        Xmm(b, Mnemonic.Insertps, SseInsertExtract.Insertps);
        Xmm(b, Mnemonic.Roundps, SseRounding.Roundps);
        Xmm(b, Mnemonic.Roundpd, SseRounding.Roundpd);
        Xmm(b, Mnemonic.Roundss, SseRounding.Roundss);
        Xmm(b, Mnemonic.Roundsd, SseRounding.Roundsd);
        Xmm(b, Mnemonic.Dpps, SseHorizontal.Dpps);
        Xmm(b, Mnemonic.Dppd, SseHorizontal.Dppd);
        Xmm(b, Mnemonic.Mpsadbw, SseHorizontal.Mpsadbw);
        Xmm(b, Mnemonic.Phminposuw, SseHorizontal.Phminposuw);
        Xmm(b, Mnemonic.Movntdqa, SseMoves.Move128);

        // SSE4.2.
        Xmm(b, Mnemonic.Pcmpgtq, SseIntegerArithmetic.Pcmpgtq);
        Xmm(b, Mnemonic.Pcmpestri, SseStringCompare.Pcmpestri, unaligned: true);
        Xmm(b, Mnemonic.Pcmpestrm, SseStringCompare.Pcmpestrm, unaligned: true);
        Xmm(b, Mnemonic.Pcmpestri64, SseStringCompare.Pcmpestri, unaligned: true);
        Xmm(b, Mnemonic.Pcmpestrm64, SseStringCompare.Pcmpestrm, unaligned: true);
        Xmm(b, Mnemonic.Pcmpistri, SseStringCompare.Pcmpistri, unaligned: true);
        Xmm(b, Mnemonic.Pcmpistrm, SseStringCompare.Pcmpistrm, unaligned: true);
    }

    /// <summary>
    /// Declares the XMM forms of <paramref name="mnemonic"/> (<see cref="IsSimdXmmForm"/>) with the SSE guard:
    /// those with a 16-byte memory operand also check its alignment unless <paramref name="unaligned"/>.
    /// </summary>
    public static void Xmm(InstructionTableBuilder b, Mnemonic mnemonic, InstructionSemantics semantics, bool unaligned = false)
    {
        Code[] codes = InstructionTableBuilder.CodesOf(mnemonic, IsSimdXmmForm);
        if (codes.Length == 0)
        {
            throw new ArgumentException($"{mnemonic}: no XMM form", nameof(mnemonic));
        }

        Code[] aligned = unaligned ? [] : codes.Where(c => c.ToOpCode().MemorySize.GetSize() == 16).ToArray();
        Code[] rest = codes.Except(aligned).ToArray();
        if (aligned.Length > 0)
        {
            b.Declare(semantics, aligned).With(MayFault).Guarded(SseGuards.EnabledAligned);
        }

        if (rest.Length > 0)
        {
            b.Declare(semantics, rest).With(MayFault).Guarded(SseGuards.Enabled);
        }
    }

    /// <summary>
    /// An SSE-SSE4.2 form with XMM operands (legacy encoding, no MMX register): what the semantics in
    /// Cpu/Semantics/Sse implement. Also excludes the string MOVSD/CMPSD, declared elsewhere.
    /// </summary>
    public static bool IsSimdXmmForm(OpCodeInfo info)
    {
        if (!IsLegacy(info) || !info.Code.CpuidFeatures().All(Extensions.Contains))
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
