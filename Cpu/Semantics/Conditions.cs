using System.Runtime.CompilerServices;
using Cpu.State;
using Iced.Intel;

namespace Cpu.Semantics;

/// <summary>Evaluates the condition codes of Jcc/SETcc/CMOVcc from the (lazy) flags (Intel SDM Vol. 1, Table B-1).</summary>
public static class Conditions
{
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static bool Evaluate(CpuState s, ConditionCode cc)
    {
        // After CMP/SUB the common conditions come straight from the operands.
        if (s.LazyOp == FlagOp.Sub)
        {
            ulong a = s.LazyA, b = s.LazyB;
            switch (cc)
            {
                case ConditionCode.e: return a == b;
                case ConditionCode.ne: return a != b;
                case ConditionCode.b: return a < b;
                case ConditionCode.ae: return a >= b;
                case ConditionCode.be: return a <= b;
                case ConditionCode.a: return a > b;
                case ConditionCode.l:
                case ConditionCode.ge:
                case ConditionCode.le:
                case ConditionCode.g:
                    {
                        long sa = Operands.SignExtend(a, s.LazySize), sb = Operands.SignExtend(b, s.LazySize);
                        return cc switch
                        {
                            ConditionCode.l => sa < sb,
                            ConditionCode.ge => sa >= sb,
                            ConditionCode.le => sa <= sb,
                            _ => sa > sb,
                        };
                    }
            }
        }

        return cc switch
        {
            ConditionCode.o => s.OF,
            ConditionCode.no => !s.OF,
            ConditionCode.b => s.CF,
            ConditionCode.ae => !s.CF,
            ConditionCode.e => s.ZF,
            ConditionCode.ne => !s.ZF,
            ConditionCode.be => s.CF || s.ZF,
            ConditionCode.a => !s.CF && !s.ZF,
            ConditionCode.s => s.SF,
            ConditionCode.ns => !s.SF,
            ConditionCode.p => s.PF,
            ConditionCode.np => !s.PF,
            ConditionCode.l => s.SF != s.OF,
            ConditionCode.ge => s.SF == s.OF,
            ConditionCode.le => s.ZF || s.SF != s.OF,
            ConditionCode.g => !s.ZF && s.SF == s.OF,
            _ => true,
        };
    }
}
