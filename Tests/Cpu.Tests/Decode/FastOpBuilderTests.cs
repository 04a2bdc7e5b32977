using Cpu.Decode;
using Iced.Intel;
using static Iced.Intel.AssemblerRegisters;

namespace Cpu.Tests.Decode;

/// <summary>
/// The fast forms are derived from the instruction table's declarations (compiled form and operation),
/// not from a mnemonic list: each family and operation number must come out as the dispatcher expects.
/// </summary>
public class FastOpBuilderTests
{
    public static TheoryData<string, FastKind, int> Forms => new()
    {
        { "add rax,rbx", FastKind.AddRegReg, AluKind.Add },
        { "adc eax,ecx", FastKind.AluRegReg, AluKind.Adc },
        { "sbb rdx,7", FastKind.AluRegImm, AluKind.Sbb },
        { "cmp rax,[rbx]", FastKind.CmpRegMem, AluKind.Cmp },
        { "test ecx,edx", FastKind.TestRegReg, AluKind.Test },
        { "and rsi,[rdi+8]", FastKind.AluRegMem, AluKind.And },
        { "xor r9d,0x55", FastKind.XorRegImm, AluKind.Xor },
        { "shl rax,3", FastKind.ShiftRegImm, ShiftKind.Shl },
        { "shr ecx,1", FastKind.ShiftRegImm, ShiftKind.Shr },
        { "sar rdx,63", FastKind.ShiftRegImm, ShiftKind.Sar },
        { "rol rax,3", FastKind.Generic, 0 },
        { "inc ecx", FastKind.IncReg, 0 },
        { "dec r8", FastKind.DecReg, 0 },
        { "neg rax", FastKind.Generic, 0 },
        { "not rax", FastKind.Generic, 0 },
        { "imul rax,rbx", FastKind.ImulRegReg, 0 },
        { "imul eax,ebx,9", FastKind.ImulRegRegImm, 0 },
        { "mul rbx", FastKind.Generic, 0 },
        { "mov rax,rbx", FastKind.MovRegReg, 0 },
        { "mov eax,[rbx+rcx*4]", FastKind.Load, 0 },
        { "mov [rbx],rax", FastKind.Store, 0 },
        { "mov cr0,rax", FastKind.Generic, 0 },
        { "mov rax,cr3", FastKind.Generic, 0 },
        { "movnti [rbx],rax", FastKind.Generic, 0 },
        { "lea rax,[rbx+8]", FastKind.Lea, 0 },
        { "movzx eax,byte [rbx]", FastKind.LoadZeroExtend8, 0 },
        { "movsx eax,byte [rbx]", FastKind.Generic, 0 },
        { "push rbx", FastKind.PushReg64, 0 },
        { "pop rbx", FastKind.PopReg64, 0 },
        { "push fs", FastKind.Generic, 0 },
        { "ret", FastKind.Ret64, 0 },
        { "ret 8", FastKind.Generic, 0 },
        { "sete al", FastKind.SetccReg8, (int)ConditionCode.e },
        { "setne ah", FastKind.Generic, 0 },
        { "lock add [rbx],eax", FastKind.Generic, 0 },
    };

    [Theory]
    [MemberData(nameof(Forms))]
    public void FamilyAndOperationComeFromTheDeclaration(string text, FastKind kind, int sub)
    {
        FastOp op = FastOpBuilder.Build(Decode(text), 64);
        Assert.Equal(kind, op.Kind);
        if (kind != FastKind.Generic)
        {
            Assert.Equal(sub, op.Sub);
        }
    }

    [Fact]
    public void BranchesTakeTheirTargetAndCondition()
    {
        var a = new Assembler(64);
        Label target = a.CreateLabel();
        a.jne(target);
        a.jmp(target);
        a.call(target);
        a.Label(ref target);
        a.nop();
        Instruction[] ins = Assemble(a);
        ulong end = ins[3].IP;

        FastOp jcc = FastOpBuilder.Build(ins[0], 64);
        Assert.Equal((FastKind.Jcc, (byte)ConditionCode.ne, end), (jcc.Kind, jcc.Sub, jcc.Imm));
        FastOp jmp = FastOpBuilder.Build(ins[1], 64);
        Assert.Equal((FastKind.Jmp, end), (jmp.Kind, jmp.Imm));
        FastOp call = FastOpBuilder.Build(ins[2], 64);
        Assert.Equal((FastKind.CallRel64, end), (call.Kind, call.Imm));
        Assert.Equal(FastKind.Generic, FastOpBuilder.Build(ins[2], 32).Kind);
    }

    private static Instruction Decode(string text)
    {
        var a = new Assembler(64);
        Emit(a, text);
        return Assemble(a)[0];
    }

    private static Instruction[] Assemble(Assembler a)
    {
        using var stream = new MemoryStream();
        a.Assemble(new StreamCodeWriter(stream), 0x1000);
        var decoder = Iced.Intel.Decoder.Create(64, new ByteArrayCodeReader(stream.ToArray()), 0x1000);
        var list = new List<Instruction>();
        while (decoder.IP < 0x1000 + (ulong)stream.Length)
        {
            list.Add(decoder.Decode());
        }

        return [.. list];
    }

    // The few forms the theory uses, written with Iced's assembler (it has no text parser).
    private static void Emit(Assembler a, string text)
    {
        switch (text)
        {
            case "add rax,rbx": a.add(rax, rbx); break;
            case "adc eax,ecx": a.adc(eax, ecx); break;
            case "sbb rdx,7": a.sbb(rdx, 7); break;
            case "cmp rax,[rbx]": a.cmp(rax, __qword_ptr[rbx]); break;
            case "test ecx,edx": a.test(ecx, edx); break;
            case "and rsi,[rdi+8]": a.and(rsi, __qword_ptr[rdi + 8]); break;
            case "xor r9d,0x55": a.xor(r9d, 0x55); break;
            case "shl rax,3": a.shl(rax, 3); break;
            case "shr ecx,1": a.shr(ecx, 1); break;
            case "sar rdx,63": a.sar(rdx, 63); break;
            case "rol rax,3": a.rol(rax, 3); break;
            case "inc ecx": a.inc(ecx); break;
            case "dec r8": a.dec(r8); break;
            case "neg rax": a.neg(rax); break;
            case "not rax": a.not(rax); break;
            case "imul rax,rbx": a.imul(rax, rbx); break;
            case "imul eax,ebx,9": a.imul(eax, ebx, 9); break;
            case "mul rbx": a.mul(rbx); break;
            case "mov rax,rbx": a.mov(rax, rbx); break;
            case "mov eax,[rbx+rcx*4]": a.mov(eax, __dword_ptr[rbx + rcx * 4]); break;
            case "mov [rbx],rax": a.mov(__qword_ptr[rbx], rax); break;
            case "mov cr0,rax": a.mov(cr0, rax); break;
            case "mov rax,cr3": a.mov(rax, cr3); break;
            case "movnti [rbx],rax": a.movnti(__qword_ptr[rbx], rax); break;
            case "lea rax,[rbx+8]": a.lea(rax, __[rbx + 8]); break;
            case "movzx eax,byte [rbx]": a.movzx(eax, __byte_ptr[rbx]); break;
            case "movsx eax,byte [rbx]": a.movsx(eax, __byte_ptr[rbx]); break;
            case "push rbx": a.push(rbx); break;
            case "pop rbx": a.pop(rbx); break;
            case "push fs": a.push(fs); break;
            case "ret": a.ret(); break;
            case "ret 8": a.ret(8); break;
            case "sete al": a.sete(al); break;
            case "setne ah": a.setne(ah); break;
            case "lock add [rbx],eax": a.@lock.add(__dword_ptr[rbx], eax); break;
            default: throw new ArgumentException(text);
        }
    }
}
