using Cpu.State;
using Cpu.Tests.Support;
using static Iced.Intel.AssemblerRegisters;

namespace Cpu.Tests.Interpreter;

/// <summary>The pre-decoded fast forms compute what the generic dispatcher computes.</summary>
public class FastPathTests
{
    [Fact]
    public void ScaledIndexLoadsStoresAndAluWithMemory()
    {
        using var m = new TestMachine();
        m.Write64(TestMachine.DataBase + 0x18, 0x1_0000_00FF);
        m.Execute(a =>
        {
            a.mov(rbx, TestMachine.DataBase);
            a.mov(ecx, 3);
            a.mov(rax, __qword_ptr[rbx + rcx * 8]);
            a.mov(edx, __dword_ptr[rbx + rcx * 8]);
            a.movzx(esi, __byte_ptr[rbx + rcx * 8]);
            a.movzx(rdi, __word_ptr[rbx + 0x1C]);
            a.mov(__qword_ptr[rbx + rcx * 8 + 8], rax);
            a.mov(__dword_ptr[rbx + 0x40], -1);
            a.mov(__qword_ptr[rbx + 0x48], -2);
            a.add(rax, __qword_ptr[rbx + 0x20]);
            a.lea(r8, __[rbx + rcx * 4 + 7]);
            a.lea(r9d, __[rcx + rcx * 2 - 10]);
        });
        Assert.Equal(0x2_0000_01FEUL, m[0]);
        Assert.Equal(0xFFUL, m[2]);
        Assert.Equal(0xFFUL, m[6]);
        Assert.Equal(1UL, m[7]);
        Assert.Equal(0x1_0000_00FFUL, m.Read64(TestMachine.DataBase + 0x20));
        Assert.Equal(0xFFFF_FFFFUL, m.Read64(TestMachine.DataBase + 0x40));
        Assert.Equal(unchecked((ulong)-2L), m.Read64(TestMachine.DataBase + 0x48));
        Assert.Equal(TestMachine.DataBase + 19, m[8]);
        Assert.Equal(0xFFFF_FFFFUL, m[9]);
    }

    [Fact]
    public void ImulShiftsAndSetcc()
    {
        using var m = new TestMachine();
        m[11] = 0xFFFF_FFFF_FFFF_FF00;
        m.Execute(a =>
        {
            a.mov(eax, 7);
            a.imul(eax, eax, -3);
            a.mov(rcx, 0x4000_0000_0000_0000);
            a.mov(rdx, 4);
            a.imul(rcx, rdx);
            a.seto(r11b);
            a.mov(esi, 0x80000001);
            a.sar(esi, 4);
            a.mov(rdi, -16);
            a.shr(rdi, 60);
            a.shl(edi, 1);
        });
        Assert.Equal(unchecked((uint)-21), m[0]);
        Assert.Equal(0UL, m[1]);
        Assert.Equal(0xFFFF_FFFF_FFFF_FF01UL, m[11]);
        Assert.Equal(0xF800_0000UL, m[6]);
        Assert.Equal(30UL, m[7]);
        Assert.Equal(0UL, m.State.Rflags & Rflag.CF);
    }
}
