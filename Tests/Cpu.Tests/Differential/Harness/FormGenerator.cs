using Iced.Intel;

namespace Cpu.Tests.Differential.Harness;

/// <summary>
/// Generates cases for one instruction form: registers and a memory operand (inside the data buffer or
/// the stack window, through a base and an optional index register) are chosen at random, operand values
/// come from <see cref="OperandValues"/> with edge values first, then <see cref="FormSemantics.Shape"/> adjusts them.
/// </summary>
public static class FormGenerator
{
    public const int CasesPerForm = 110;

    private static readonly Register[] Pool64 =
        [Register.RAX, Register.RCX, Register.RDX, Register.RBX, Register.RBP, Register.RSI, Register.RDI,
         Register.R8, Register.R9, Register.R10, Register.R11, Register.R12, Register.R13, Register.R14, Register.R15];

    private static readonly Register[] Pool8 =
        [Register.AL, Register.CL, Register.DL, Register.BL, Register.AH, Register.CH, Register.DH, Register.BH,
         Register.BPL, Register.SIL, Register.DIL, Register.R8L, Register.R9L, Register.R10L, Register.R11L,
         Register.R12L, Register.R13L, Register.R14L, Register.R15L];

    private static readonly Register[] BasePool =
        [Register.RSI, Register.RDI, Register.RBP, Register.R8, Register.R9, Register.R10, Register.R11,
         Register.R12, Register.R13, Register.R14, Register.R15];

    /// <summary>Cases for every form of the mnemonics.</summary>
    public static IEnumerable<DiffCase> Cases(FormSemantics semantics, params Mnemonic[] mnemonics) =>
        InstructionForm.Of(mnemonics).SelectMany(f => Cases(f, semantics));

    public static IEnumerable<DiffCase> Cases(InstructionForm form, FormSemantics semantics, int count = CasesPerForm)
    {
        var rng = new Random(Seed(form));
        for (int i = 0; i < count; i++)
        {
            yield return One(form, semantics, rng, i);
        }
    }

    /// <summary>A stable seed per form, so a failure reproduces whatever else ran.</summary>
    public static int Seed(InstructionForm form) => ((int)form.Code * 7919) + (form.MemoryForm ? 1 : 0);

    public static DiffCase One(InstructionForm form, FormSemantics semantics, Random rng, int index)
    {
        string? lastError = null;
        for (int attempt = 0; attempt < 50; attempt++)
        {
            var builder = new CaseBuilder(rng);
            OperandPlan[] ops = Plan(form, semantics, builder);
            var fc = new FormCase { Builder = builder, Form = form, Operands = ops, Index = index };
            for (int i = 0; i < ops.Length; i++)
            {
                if (ops[i].Role != OperandRole.Constant && ops[i].Bits is > 0 and <= 64)
                {
                    fc.Set(i, i == 0 ? OperandValues.Sequence(rng, ops[i].Bits, index) : OperandValues.Next(rng, ops[i].Bits));
                }
            }

            builder.UndefinedFlags = semantics.UndefinedFlags;
            semantics.Shape?.Invoke(fc);
            Instruction ins = ToInstruction(form, ops);
            ins.HasLockPrefix = semantics.Lock && form.MemoryForm && form.Info.CanUseLockPrefix;
            var writer = new BytesWriter();
            Encoder encoder = Encoder.Create(64, writer);
            if (encoder.TryEncode(ins, HarnessLayout.SnippetAddress, out _, out string? error))
            {
                return builder.Build(form.Name, writer.ToArray());
            }

            // For example AH next to a register that needs REX: choose again.
            lastError = $"{ins}: {error}";
        }

        throw new InvalidOperationException($"{form.Name}: no encodable operand choice ({lastError})");
    }

    private static OperandPlan[] Plan(InstructionForm form, FormSemantics semantics, CaseBuilder b)
    {
        OpCodeInfo info = form.Info;
        Random rng = b.Rng;
        var excluded = new HashSet<Register> { Register.RSP };
        foreach (Register r in semantics.Reserved)
        {
            excluded.Add(Full(r));
        }

        for (int i = 0; i < info.OpCount; i++)
        {
            Register fixedReg = FixedRegister(info.GetOpKind(i));
            if (fixedReg != Register.None)
            {
                excluded.Add(Full(fixedReg));
            }
        }

        var ops = new OperandPlan[info.OpCount];
        for (int i = 0; i < info.OpCount; i++)
        {
            OpCodeOperandKind k = info.GetOpKind(i);
            if (k is OpCodeOperandKind.mem or OpCodeOperandKind.mem_offs || (form.MemoryForm && InstructionForm.IsRegOrMem(k)))
            {
                int bits = InstructionForm.IsRegOrMem(k) ? KindBits(k) : info.MemorySize.GetSize() * 8;
                ops[i] = PlanMemory(b, semantics, excluded, bits, k == OpCodeOperandKind.mem_offs);
            }
        }

        for (int i = 0; i < info.OpCount; i++)
        {
            if (ops[i] is not null)
            {
                continue;
            }

            OpCodeOperandKind k = info.GetOpKind(i);
            Register fixedReg = FixedRegister(k);
            if (fixedReg != Register.None)
            {
                ops[i] = new OperandPlan { Role = OperandRole.Register, Bits = fixedReg.GetSize() * 8, Register = fixedReg };
            }
            else if (k == OpCodeOperandKind.imm8_const_1)
            {
                ops[i] = new OperandPlan { Role = OperandRole.Constant, Bits = 8, ImmediateKind = OpKind.Immediate8, Immediate = 1 };
            }
            else if (ImmediateKind(k) is OpKind immKind)
            {
                ops[i] = new OperandPlan { Role = OperandRole.Immediate, Bits = FormCase.ImmediateBits(immKind), ImmediateKind = immKind };
            }
            else
            {
                int bits = KindBits(k);
                ops[i] = new OperandPlan { Role = OperandRole.Register, Bits = bits, Register = PickRegister(rng, bits, excluded) };
            }
        }

        return ops;
    }

    private static OperandPlan PlanMemory(CaseBuilder b, FormSemantics semantics, HashSet<Register> excluded, int bits, bool absolute)
    {
        Random rng = b.Rng;
        int size = Math.Max(bits / 8, 1);
        int align = semantics.MemoryAlignment > 0 ? semantics.MemoryAlignment : rng.Next(4) == 0 ? 1 : Math.Min(size, 16);
        if (absolute)
        {
            ulong at = b.DataAddress(align, semantics.MemoryMargin);
            return new MemoryOperandPlan { Role = OperandRole.Memory, Bits = bits, Address = at, Base = Register.None, Displacement = at, DisplSize = 8 };
        }

        Register baseReg;
        ulong target;
        if (semantics.MemoryMargin <= 64 && rng.Next(8) == 0)
        {
            // RSP as base (SIB encoding) addresses the stack window around the initial RSP.
            baseReg = Register.RSP;
            target = (HarnessLayout.InitialRsp + (ulong)(rng.Next(-0x200, 0x200) & -align)) & ~(ulong)(align - 1);
        }
        else
        {
            Register[] candidates = BasePool.Where(r => !excluded.Contains(r)).ToArray();
            baseReg = candidates[rng.Next(candidates.Length)];
            target = b.DataAddress(align, semantics.MemoryMargin);
        }

        Register index = Register.None;
        int scale = 1;
        long indexValue = 0;
        if (baseReg != Register.RSP && rng.Next(3) == 0)
        {
            Register[] candidates = BasePool.Where(r => !excluded.Contains(r) && r != baseReg).ToArray();
            if (candidates.Length > 0)
            {
                index = candidates[rng.Next(candidates.Length)];
                scale = 1 << rng.Next(4);
                indexValue = rng.Next(-0x40, 0x100);
            }
        }

        long disp = rng.Next(3) switch
        {
            0 => 0,
            1 => rng.Next(-0x80, 0x80),
            _ => rng.Next(-0x30000, 0x30000),
        };
        // Sometimes 32-bit addressing (67h): the upper halves of base and index must then be ignored.
        bool address32 = baseReg != Register.RSP && rng.Next(6) == 0;
        if (baseReg == Register.RSP)
        {
            disp = (long)(target - HarnessLayout.InitialRsp);
        }
        else
        {
            ulong baseValue = target - (ulong)disp - (ulong)(indexValue * scale);
            ulong indexBits = (ulong)indexValue;
            if (address32)
            {
                baseValue = (baseValue & 0xFFFF_FFFF) | (OperandValues.Random64(rng) << 32);
                indexBits = (indexBits & 0xFFFF_FFFF) | (OperandValues.Random64(rng) << 32);
            }

            b.SetReg(baseReg, baseValue);
            if (index != Register.None)
            {
                b.SetReg(index, indexBits);
                excluded.Add(index);
            }
        }

        excluded.Add(baseReg);
        int displSize = disp == 0 ? 0 : disp is >= -128 and <= 127 ? 1 : 4;
        return new MemoryOperandPlan
        {
            Role = OperandRole.Memory,
            Bits = bits,
            Address = target,
            Base = address32 ? Register.EAX + (baseReg - Register.RAX) : baseReg,
            Index = address32 && index != Register.None ? Register.EAX + (index - Register.RAX) : index,
            Scale = scale,
            Displacement = address32 ? (uint)disp : (ulong)disp,
            DisplSize = displSize,
        };
    }

    private static Register PickRegister(Random rng, int bits, HashSet<Register> excluded)
    {
        Register[] pool = bits == 8 ? Pool8 : Pool64;
        Register[] candidates = pool.Where(r => !excluded.Contains(Full(r))).ToArray();
        Register full = candidates[rng.Next(candidates.Length)];
        return bits switch
        {
            8 => full,
            16 => Register.AX + (full - Register.RAX),
            32 => Register.EAX + (full - Register.RAX),
            _ => full,
        };
    }

    public static Register Full(Register r) => r is >= Register.AH and <= Register.BH ? Register.RAX + (r - Register.AH) : r.GetFullRegister();

    private static Instruction ToInstruction(InstructionForm form, OperandPlan[] ops)
    {
        var ins = new Instruction { Code = form.Code };
        for (int i = 0; i < ops.Length; i++)
        {
            OperandPlan op = ops[i];
            switch (op.Role)
            {
                case OperandRole.Register:
                    ins.SetOpKind(i, OpKind.Register);
                    ins.SetOpRegister(i, op.Register);
                    break;
                case OperandRole.Memory:
                    var m = (MemoryOperandPlan)op;
                    ins.SetOpKind(i, OpKind.Memory);
                    ins.MemoryBase = m.Base;
                    ins.MemoryIndex = m.Index;
                    ins.MemoryIndexScale = m.Scale;
                    ins.MemoryDisplacement64 = m.Displacement;
                    ins.MemoryDisplSize = m.DisplSize;
                    break;
                default:
                    ins.SetOpKind(i, op.ImmediateKind);
                    ins.SetImmediate(i, op.Immediate);
                    break;
            }
        }

        return ins;
    }

    private static Register FixedRegister(OpCodeOperandKind k) => k switch
    {
        OpCodeOperandKind.al => Register.AL,
        OpCodeOperandKind.ax => Register.AX,
        OpCodeOperandKind.eax => Register.EAX,
        OpCodeOperandKind.rax => Register.RAX,
        OpCodeOperandKind.cl => Register.CL,
        _ => Register.None,
    };

    private static OpKind? ImmediateKind(OpCodeOperandKind k) => k switch
    {
        OpCodeOperandKind.imm8 => OpKind.Immediate8,
        OpCodeOperandKind.imm16 => OpKind.Immediate16,
        OpCodeOperandKind.imm32 => OpKind.Immediate32,
        OpCodeOperandKind.imm64 => OpKind.Immediate64,
        OpCodeOperandKind.imm8sex16 => OpKind.Immediate8to16,
        OpCodeOperandKind.imm8sex32 => OpKind.Immediate8to32,
        OpCodeOperandKind.imm8sex64 => OpKind.Immediate8to64,
        OpCodeOperandKind.imm32sex64 => OpKind.Immediate32to64,
        _ => null,
    };

    private static int KindBits(OpCodeOperandKind k) => k switch
    {
        OpCodeOperandKind.r8_or_mem or OpCodeOperandKind.r8_reg or OpCodeOperandKind.r8_opcode => 8,
        OpCodeOperandKind.r16_or_mem or OpCodeOperandKind.r16_reg or OpCodeOperandKind.r16_opcode => 16,
        OpCodeOperandKind.r32_or_mem or OpCodeOperandKind.r32_reg or OpCodeOperandKind.r32_opcode or OpCodeOperandKind.r32_vvvv => 32,
        OpCodeOperandKind.r64_or_mem or OpCodeOperandKind.r64_reg or OpCodeOperandKind.r64_opcode or OpCodeOperandKind.r64_vvvv => 64,
        _ => throw new ArgumentException($"no register width for {k}", nameof(k)),
    };

    private sealed class BytesWriter : CodeWriter
    {
        private readonly List<byte> bytes = [];

        public override void WriteByte(byte value) => bytes.Add(value);

        public byte[] ToArray() => [.. bytes];
    }
}
