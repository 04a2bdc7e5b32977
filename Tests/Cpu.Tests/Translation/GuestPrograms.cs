using Cpu.Tests.Support;
using Iced.Intel;
using static Iced.Intel.AssemblerRegisters;

namespace Cpu.Tests.Translation;

/// <summary>Small guest programs that exercise every translated form, mixed with interpreted ones.</summary>
public static class GuestPrograms
{
    private static readonly Dictionary<string, (int Bitness, Action<Assembler> Code)> All = new()
    {
        ["alu-loop"] = (64, AluLoop),
        ["memory-loop"] = (64, MemoryLoop),
        ["partial-registers"] = (64, PartialRegisters),
        ["conditions"] = (64, Conditions),
        ["stack-and-calls"] = (64, StackAndCalls),
        ["alu-loop-32"] = (32, AluLoop32),
        ["shifts"] = (64, ShiftForms),
        ["recursion"] = (64, Recursion),
        ["calls-32"] = (32, Calls32),
    };

    public static IEnumerable<string> Names => All.Keys;

    public static (int Bitness, Action<Assembler> Code) Get(string name) => All[name];

    private static void AluLoop(Assembler a)
    {
        var loop = a.CreateLabel();
        a.mov(ecx, 3000);
        a.mov(rax, 0x1234_5678_9ABC_DEF0);
        a.xor(edx, edx);
        a.Label(ref loop);
        a.add(rax, rcx);
        a.xor(rdx, rax);
        a.shl(rax, 3);
        a.sar(rdx, 1);
        a.rol(rax, cl);
        a.sub(rax, rdx);
        a.adc(rbx, rax);
        a.sbb(rsi, rdx);
        a.not(rdi);
        a.neg(rdi);
        a.inc(r8);
        a.or(r9, rax);
        a.and(r9, rdx);
        a.add(r10d, 0x7FFF_FFFF);
        a.dec(ecx);
        a.jnz(loop);
    }

    private static void AluLoop32(Assembler a)
    {
        var loop = a.CreateLabel();
        a.mov(ecx, 2000);
        a.mov(eax, 0x9ABC_DEF0);
        a.xor(edx, edx);
        a.Label(ref loop);
        a.add(eax, ecx);
        a.xor(edx, eax);
        a.shl(eax, 3);
        a.sar(edx, 1);
        a.rcr(eax, 1);
        a.adc(ebx, eax);
        a.sbb(esi, edx);
        a.neg(edi);
        a.lea(ebp, __[eax + ecx * 2 + 7]);
        a.mov(__dword_ptr[TestMachine.DataBase + 0x40], ebp);
        a.add(__dword_ptr[TestMachine.DataBase + 0x44], eax);
        a.push(eax);
        a.pop(edi);
        a.loop(loop);
    }

    private static void MemoryLoop(Assembler a)
    {
        var loop = a.CreateLabel();
        a.mov(rdi, TestMachine.DataBase);
        a.mov(ecx, 400);
        a.Label(ref loop);
        a.mov(__qword_ptr[rdi + rcx * 8], rcx);
        a.add(__qword_ptr[rdi], rcx);
        a.xor(__dword_ptr[rdi + 8], ecx);
        a.movzx(eax, __byte_ptr[rdi + rcx]);
        a.movsx(rbx, __word_ptr[rdi + rcx * 2]);
        a.movsxd(r11, __dword_ptr[rdi + 8]);
        a.lea(rsi, __[rdi + rcx * 4 + 3]);
        a.inc(__dword_ptr[rdi + 16]);
        a.shl(__qword_ptr[rdi + 24], 1);
        a.or(__byte_ptr[rdi + 32], cl);
        a.sub(__word_ptr[rdi + 34], 3);
        a.cmp(__qword_ptr[rdi], rax);
        a.test(__dword_ptr[rdi + 8], 0x40);
        a.mov(__byte_ptr[rdi + 36], 0x5A);
        a.mov(r12, __qword_ptr[rdi + 24]);
        a.add(r13, __qword_ptr[rdi + rcx * 8]);
        a.dec(ecx);
        a.jnz(loop);
    }

    private static void PartialRegisters(Assembler a)
    {
        var loop = a.CreateLabel();
        a.mov(rax, 0x1111_2222_3333_4444);
        a.mov(rbx, 0x5555_6666_7777_8888);
        a.mov(ecx, 300);
        a.Label(ref loop);
        a.add(ah, al);
        a.sub(bx, cx);
        a.xor(ch, dl);
        a.add(dl, bh);
        a.mov(dh, ah);
        a.movzx(esi, ah);
        a.movsx(di, bl);
        a.mov(r8w, bx);
        a.mov(r9b, 0x80);
        a.adc(r10b, r9b);
        a.inc(bp);
        a.neg(r11w);
        a.mov(r12d, eax);
        a.dec(ecx);
        a.jnz(loop);
    }

    private static void Conditions(Assembler a)
    {
        var loop = a.CreateLabel();
        var skip = a.CreateLabel();
        a.mov(ecx, 257);
        a.mov(rdi, TestMachine.DataBase);
        a.Label(ref loop);
        a.mov(eax, ecx);
        a.imul(eax, eax, 0x9E37_79B9);
        a.cmp(eax, 0x8000_0000);
        a.seta(bl);
        a.setl(bh);
        a.setp(dl);
        a.sets(__byte_ptr[rdi + rcx]);
        a.cmovo(esi, eax);
        a.cmovbe(r8, rcx);
        a.cmovge(r9d, __dword_ptr[rdi]);
        a.cmp(bl, bh);
        a.je(skip);
        a.add(r10, rbx);
        a.Label(ref skip);
        a.test(eax, 3);
        a.setne(__byte_ptr[rdi + 0x200]);
        a.cmovnp(r11, rax);
        a.dec(ecx);
        a.jnz(loop);
    }

    private static void StackAndCalls(Assembler a)
    {
        var loop = a.CreateLabel();
        var function = a.CreateLabel();
        var done = a.CreateLabel();
        a.mov(ecx, 200);
        a.Label(ref loop);
        a.push(rcx);
        a.push(0x1234);
        a.push(__qword_ptr[rsp + 8]);
        a.pop(rax);
        a.pop(rbx);
        a.call(function);
        a.pop(rcx);
        a.dec(ecx);
        a.jnz(loop);
        a.jmp(done);
        a.Label(ref function);
        a.add(rdx, rax);
        a.xor(rdx, rbx);
        a.ret();
        a.Label(ref done);
        a.nop();
    }

    /// <summary>fib(18) by plain recursion (CALL rel and RET at most block ends), then RET imm16.</summary>
    private static void Recursion(Assembler a)
    {
        var fib = a.CreateLabel();
        var small = a.CreateLabel();
        var callee = a.CreateLabel();
        var done = a.CreateLabel();
        a.mov(edi, 18);
        a.call(fib);
        a.mov(rbx, rax);
        a.push(0x77);
        a.call(callee);
        a.jmp(done);
        a.Label(ref fib);
        a.cmp(edi, 2);
        a.jb(small);
        a.push(rdi);
        a.dec(edi);
        a.call(fib);
        a.pop(rdi);
        a.push(rax);
        a.sub(edi, 2);
        a.call(fib);
        a.pop(rdx);
        a.add(rax, rdx);
        a.add(edi, 2);
        a.ret();
        a.Label(ref small);
        a.mov(eax, edi);
        a.ret();
        a.Label(ref callee);
        a.mov(rsi, __qword_ptr[rsp + 8]);
        a.ret(8);
        a.Label(ref done);
        a.nop();
    }

    /// <summary>32-bit CALL rel / RET imm16 with a stacked argument.</summary>
    private static void Calls32(Assembler a)
    {
        var loop = a.CreateLabel();
        var function = a.CreateLabel();
        var done = a.CreateLabel();
        a.mov(ecx, 300);
        a.Label(ref loop);
        a.push(ecx);
        a.call(function);
        a.add(ebx, eax);
        a.dec(ecx);
        a.jnz(loop);
        a.jmp(done);
        a.Label(ref function);
        a.mov(eax, __dword_ptr[esp + 4]);
        a.imul(eax, eax, 3);
        a.ret(4);
        a.Label(ref done);
        a.nop();
    }

    private static void ShiftForms(Assembler a)
    {
        var loop = a.CreateLabel();
        a.mov(ecx, 130);
        a.mov(rax, 0x8000_0000_0000_0001);
        a.Label(ref loop);
        a.shl(eax, cl);
        a.shr(rbx, cl);
        a.sar(dx, cl);
        a.ror(rsi, 7);
        a.rol(di, 1);
        a.rcl(r8, cl);
        a.rcr(r9b, 3);
        a.shr(r10d, 31);
        a.sal(r11, 0);
        a.add(rax, rcx);
        a.add(rbx, rax);
        a.adc(rdx, rbx);
        a.sub(rsi, rcx);
        a.dec(ecx);
        a.jnz(loop);
    }
}
