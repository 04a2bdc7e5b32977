using Cpu.Execution;
using Cpu.State;
using Iced.Intel;
using static Cpu.State.GprIndex;

namespace Cpu.Semantics;

/// <summary>BCD adjustments DAA, DAS, AAA, AAS, AAM, AAD (Intel SDM Vol. 2; 16- and 32-bit modes only).</summary>
public static class DecimalAdjust
{
    public static void Execute(Processor cpu, ref Instruction ins)
    {
        CpuState s = cpu.State;
        ulong rax = s.Gpr[Rax];
        byte al = (byte)rax;
        byte ah = (byte)(rax >> 8);
        bool cf = s.CF;
        bool af = s.AF;
        switch (ins.Mnemonic)
        {
            case Mnemonic.Daa:
            case Mnemonic.Das:
                {
                    bool sub = ins.Mnemonic == Mnemonic.Das;
                    byte oldAl = al;
                    bool newCf = false;
                    bool newAf = false;
                    if ((al & 0x0F) > 9 || af)
                    {
                        al = (byte)(sub ? al - 6 : al + 6);
                        newCf = cf || (sub ? oldAl < 6 : oldAl > 0xF9);
                        newAf = true;
                    }

                    if (oldAl > 0x99 || cf)
                    {
                        al = (byte)(sub ? al - 0x60 : al + 0x60);
                        newCf = true;
                    }

                    s.Gpr[Rax] = (rax & ~0xFFUL) | al;
                    s.SetArithmeticFlags(Alu.SignZeroParity(al, 1) | (newCf ? Rflag.CF : 0) | (newAf ? Rflag.AF : 0));
                    break;
                }

            case Mnemonic.Aaa:
            case Mnemonic.Aas:
                {
                    bool adjust = (al & 0x0F) > 9 || af;
                    ushort ax = (ushort)rax;
                    if (adjust)
                    {
                        ax = ins.Mnemonic == Mnemonic.Aaa ? (ushort)(ax + 0x106) : (ushort)(ax - 6);
                        if (ins.Mnemonic == Mnemonic.Aas)
                        {
                            ax = (ushort)((ax & 0x00FF) | (((ax >> 8) - 1) << 8));
                        }
                    }

                    ax &= 0xFF0F;
                    s.Gpr[Rax] = (rax & ~0xFFFFUL) | ax;
                    s.SetArithmeticFlags(Alu.SignZeroParity((byte)ax, 1) | (adjust ? Rflag.CF | Rflag.AF : 0));
                    break;
                }

            case Mnemonic.Aam:
                {
                    byte b = ins.Immediate8;
                    if (b == 0)
                    {
                        throw CpuException.DivideError();
                    }

                    ah = (byte)(al / b);
                    al = (byte)(al % b);
                    s.Gpr[Rax] = (rax & ~0xFFFFUL) | ((ulong)ah << 8) | al;
                    s.SetArithmeticFlags(Alu.SignZeroParity(al, 1));
                    break;
                }

            default:
                {
                    byte b = ins.Immediate8;
                    al = (byte)(al + (ah * b));
                    s.Gpr[Rax] = (rax & ~0xFFFFUL) | al;
                    s.SetArithmeticFlags(Alu.SignZeroParity(al, 1));
                    break;
                }
        }
    }
}
