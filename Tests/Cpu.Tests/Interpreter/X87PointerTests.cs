using System.Buffers.Binary;
using Cpu.Execution;
using Cpu.State;
using Cpu.Tests.Support;
using static Iced.Intel.AssemblerRegisters;

namespace Cpu.Tests.Interpreter;

/// <summary>
/// The last-instruction pointers and opcode (Intel SDM Vol. 1, 8.1.8-8.1.10) and the environment layouts
/// that store them, which the host comparison cannot check (the host, an AMD processor, stores the
/// pointers only while an exception is pending): a non-control instruction records CS:IP, its 11-bit
/// opcode and its memory operand; a control instruction (FNSTCW here) records nothing; FNSTENV writes them
/// in the protected-mode 28-byte layout and, in real mode, in the 14- and 28-byte layouts with linear pointers.
/// </summary>
public class X87PointerTests
{
    [Fact]
    public void NonControlInstructionsRecordTheirPointersAndFnstenvStoresThem()
    {
        using var m = new TestMachine();
        m[6] = TestMachine.DataBase;
        m.Execute(a =>
        {
            a.fninit();                       // DB E3: control, at CodeBase
            a.fld(__qword_ptr[rsi + 8]);      // DD 46 08 at CodeBase + 2: FOP 0x546
            a.fnstcw(__word_ptr[rsi]);        // control: records nothing
            a.fnstenv(__[rsi + 0x100]);
        });

        X87State x = m.State.X87;
        Assert.Equal(TestMachine.CodeBase + 2, x.InstructionPointer);
        Assert.Equal(0x546, x.Opcode);
        Assert.Equal(TestMachine.DataBase + 8, x.DataPointer);
        Span<byte> env = m.Ram.Span(TestMachine.DataBase + 0x100, 28);
        Assert.Equal((uint)(TestMachine.CodeBase + 2), BinaryPrimitives.ReadUInt32LittleEndian(env[12..]));
        Assert.Equal(0x08u | (0x546u << 16), BinaryPrimitives.ReadUInt32LittleEndian(env[16..]));
        Assert.Equal((uint)(TestMachine.DataBase + 8), BinaryPrimitives.ReadUInt32LittleEndian(env[20..]));
        Assert.Equal(0x10, BinaryPrimitives.ReadUInt16LittleEndian(env[24..]));
    }

    [Fact]
    public void RealModeEnvironmentsHoldLinearPointers()
    {
        using var m = new TestMachine(16);
        CpuState s = m.State;
        s.Cr0 = 0x10;
        s.Segments[SegmentIndex.Cs] = s.Segments[SegmentIndex.Cs] with { Selector = 0, Base = 0, Limit = 0xFFFF };
        s.Segments[SegmentIndex.Ds] = s.Segments[SegmentIndex.Ds] with { Selector = 0x2000, Base = 0x20000, Limit = 0xFFFF };
        s.Rip = 0x1000;
        m[6] = 0x10;
        m.Load(a =>
        {
            a.fninit();                        // DB E3 at 0000:1000
            a.fld(__qword_ptr[si + 8]);        // DD 44 08 at 0000:1002: FOP 0x544, operand at 2000:0018
            a.fnstenv(__[si + 0x100]);         // 14 bytes at 2000:0110
            a.db(0x66, 0xD9, 0xB4, 0x00, 0x02); // o32 FNSTENV [si+0x200]: 28 bytes at 2000:0210
        }, at: 0x1000);
        Assert.Equal(StopReason.Halted, m.Run());

        Span<byte> small = m.Ram.Span(0x20110, 14);
        Assert.Equal(0x1002, BinaryPrimitives.ReadUInt16LittleEndian(small[6..]));
        Assert.Equal(0x544, BinaryPrimitives.ReadUInt16LittleEndian(small[8..]));
        Assert.Equal(0x0018, BinaryPrimitives.ReadUInt16LittleEndian(small[10..]));
        Assert.Equal(0x2 << 12, BinaryPrimitives.ReadUInt16LittleEndian(small[12..]));

        Span<byte> wide = m.Ram.Span(0x20210, 28);
        Assert.Equal(0x1002, BinaryPrimitives.ReadUInt16LittleEndian(wide[12..]));
        Assert.Equal(0x544u, BinaryPrimitives.ReadUInt32LittleEndian(wide[16..]));
        Assert.Equal(0x0018, BinaryPrimitives.ReadUInt16LittleEndian(wide[20..]));
        Assert.Equal(0x2u << 12, BinaryPrimitives.ReadUInt32LittleEndian(wide[24..]));
    }

    [Fact]
    public void FrstorReloadsWhatFnsaveStoredAndFnsaveInitialises()
    {
        using var m = new TestMachine();
        m[6] = TestMachine.DataBase;
        m.Execute(a =>
        {
            a.fninit();
            a.fld1();
            a.fldpi();
            a.fnsave(__[rsi]);
            a.fnstsw(__word_ptr[rsi + 0x200]);
            a.frstor(__[rsi]);
        });

        X87State x = m.State.X87;
        Assert.Equal(0, BinaryPrimitives.ReadUInt16LittleEndian(m.Ram.Span(TestMachine.DataBase + 0x200, 2)));
        Assert.Equal(6, x.Top);
        Assert.Equal(0xC90F_DAA2_2168_C235UL, x.Registers[x.Physical(0)].Significand);
        Assert.Equal(0x8000_0000_0000_0000UL, x.Registers[x.Physical(1)].Significand);
        Assert.Equal(0x0FFF, x.Tag);
    }
}
