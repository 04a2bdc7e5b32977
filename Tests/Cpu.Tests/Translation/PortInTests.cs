using Cpu.Execution;
using Cpu.Tests.Support;
using Cpu.Translation;
using Mmu.Io;
using static Iced.Intel.AssemblerRegisters;

namespace Cpu.Tests.Translation;

/// <summary>
/// IN in compiled code (device polling loops such as a PIT calibration run there): the device sees the
/// same instruction count as under the interpreter, since the virtual clock is made of it.
/// </summary>
public class PortInTests
{
    private const ushort ClockPort = 0x61;

    [Fact]
    public void InSeesTheInstructionCountTheInterpreterShows()
    {
        using var interpreted = Run(JitMode.Off);
        using var compiled = Run(JitMode.Always);

        Assert.NotEqual(0UL, interpreted[3]);
        Assert.Equal(interpreted[3], compiled[3]);
        Assert.Equal(interpreted[0], compiled[0]);
        Assert.Equal(interpreted.Cpu.InstructionsRetired, compiled.Cpu.InstructionsRetired);
        Assert.True(compiled.Cpu.Jit.Counters.InstructionsInCompiledCode > compiled.Cpu.InstructionsRetired * 9 / 10);
    }

    /// <summary>
    /// Sums what a port that answers with <see cref="Processor.InstructionsRetired"/> returns, read with
    /// both IN forms (imm8 and DX) in the middle of a two-block loop.
    /// </summary>
    private static TestMachine Run(JitMode mode)
    {
        var m = new TestMachine();
        m.Cpu.JitMode = mode;
        m.Ports.Register(ClockPort, 1, new InstructionCountPort(m.Cpu));
        m.Load(a =>
        {
            var top = a.CreateLabel();
            var second = a.CreateLabel();
            a.mov(ecx, 300);
            a.mov(edx, ClockPort);
            a.Label(ref top);
            a.add(rdi, 1);
            a.@in(al, (byte)ClockPort);
            a.movzx(eax, al);
            a.add(rbx, rax);
            a.jmp(second);
            a.Label(ref second);
            a.@in(eax, dx);
            a.imul(rax, rcx);
            a.add(rbx, rax);
            a.dec(ecx);
            a.jnz(top);
            a.hlt();
        });
        Assert.Equal(StopReason.Halted, m.Run());
        return m;
    }

    private sealed class InstructionCountPort(Processor cpu) : IPortDevice
    {
        public uint In(ushort port, int size) => (uint)cpu.InstructionsRetired & (size == 1 ? 0xFFu : uint.MaxValue);

        public void Out(ushort port, int size, uint value)
        {
        }
    }
}
