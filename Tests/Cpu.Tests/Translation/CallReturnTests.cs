using Cpu.Execution;
using Cpu.Tests.System;
using Cpu.Translation;
using Iced.Intel;
using static Iced.Intel.AssemblerRegisters;

namespace Cpu.Tests.Translation;

/// <summary>
/// CALL rel and RET in compiled code fault as the interpreter does: on a stack page that is not present,
/// with RIP at the CALL or RET, RSP unchanged and the instructions before them completed.
/// </summary>
public class CallReturnTests
{
    private const ulong Pml4 = 0xB0000;
    private const ulong Unmapped = 0x20_0000;

    [Theory]
    [InlineData(JitMode.Off)]
    [InlineData(JitMode.Always)]
    public void CallIntoAnAbsentStackPageFaultsAtTheCall(JitMode mode)
    {
        Action<Assembler> before = a =>
        {
            a.mov(rsp, Unmapped + 8);
            a.add(rbx, 1);
        };
        using SystemMachine m = Run(mode, a =>
        {
            var target = a.CreateLabel();
            before(a);
            a.call(target);
            a.Label(ref target);
            a.mov(esi, 1);
            a.hlt();
        });

        Assert.Equal(Unmapped, m.State.Cr2);
        Assert.Equal(SystemMachine.KernelCode + (ulong)SystemMachine.Length(before), m.StackSlot(1));
        Assert.Equal(Unmapped + 8, m.StackSlot(4)); // RSP as it was before the CALL
        Assert.Equal(1UL, m.State.Gpr[3]);
        Assert.Equal(0UL, m.State.Gpr[6]);
    }

    [Theory]
    [InlineData(JitMode.Off)]
    [InlineData(JitMode.Always)]
    public void ReturnFromAnAbsentStackPageFaultsAtTheReturn(JitMode mode)
    {
        Action<Assembler> before = a =>
        {
            a.mov(rsp, Unmapped);
            a.add(rbx, 1);
        };
        using SystemMachine m = Run(mode, a =>
        {
            before(a);
            a.ret();
        });

        Assert.Equal(Unmapped, m.State.Cr2);
        Assert.Equal(SystemMachine.KernelCode + (ulong)SystemMachine.Length(before), m.StackSlot(1));
        Assert.Equal(Unmapped, m.StackSlot(4));
        Assert.Equal(1UL, m.State.Gpr[3]);
    }

    /// <summary>Runs <paramref name="code"/> with paging on (2 MiB mapped) until the #PF handler, which runs on IST1.</summary>
    private static SystemMachine Run(JitMode mode, Action<Assembler> code)
    {
        var m = new SystemMachine();
        m.Cpu.JitMode = mode;
        m.SetGate(ExceptionVector.PageFault, dpl: 0, ist: 1);
        IdentityPaging.Enable(m, Pml4);
        m.Load(SystemMachine.KernelCode, code);
        m.RunToHandler(ExceptionVector.PageFault);
        if (mode == JitMode.Always)
        {
            Assert.Equal(2 + 1, m.Cpu.Jit.Counters.InstructionsInCompiledCode); // and the handler's HLT, compiled too
        }

        return m;
    }
}
