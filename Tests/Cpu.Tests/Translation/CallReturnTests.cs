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
    [InlineData(JitMode.Off, CompileTier.Quick)]
    [InlineData(JitMode.Always, CompileTier.Quick)]
    [InlineData(JitMode.Always, CompileTier.Optimized)]
    public void CallIntoAnAbsentStackPageFaultsAtTheCall(JitMode mode, CompileTier tier)
    {
        Action<Assembler> before = a =>
        {
            a.mov(rsp, Unmapped + 8);
            a.add(rbx, 1);
        };
        using SystemMachine m = Run(mode, tier, a =>
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
    [InlineData(JitMode.Off, CompileTier.Quick, 0)]
    [InlineData(JitMode.Always, CompileTier.Quick, 0)]
    [InlineData(JitMode.Always, CompileTier.Optimized, 0)]
    [InlineData(JitMode.Off, CompileTier.Quick, 16)]
    [InlineData(JitMode.Always, CompileTier.Optimized, 16)]
    public void ReturnFromAnAbsentStackPageFaultsAtTheReturn(JitMode mode, CompileTier tier, ushort release)
    {
        Action<Assembler> before = a =>
        {
            a.mov(rsp, Unmapped);
            a.add(rbx, 1);
        };
        using SystemMachine m = Run(mode, tier, a =>
        {
            before(a);
            if (release == 0)
            {
                a.ret();
            }
            else
            {
                a.ret(release);
            }
        });

        Assert.Equal(Unmapped, m.State.Cr2);
        Assert.Equal(SystemMachine.KernelCode + (ulong)SystemMachine.Length(before), m.StackSlot(1));
        Assert.Equal(Unmapped, m.StackSlot(4));
        Assert.Equal(1UL, m.State.Gpr[3]);
    }

    [Theory]
    [InlineData(JitMode.Off, CompileTier.Quick)]
    [InlineData(JitMode.Always, CompileTier.Quick)]
    [InlineData(JitMode.Always, CompileTier.Optimized)]
    public void PushAndPopOnAnAbsentStackPageFaultWithRspUnchanged(JitMode mode, CompileTier tier)
    {
        Action<Assembler> before = a =>
        {
            a.mov(rsp, Unmapped + 16);
            a.mov(rax, 0x1234);
        };
        using SystemMachine m = Run(mode, tier, a =>
        {
            before(a);
            a.push(rax); // RSP - 8 = Unmapped + 8: not mapped, the PUSH faults
            a.pop(rcx);
            a.hlt();
        });

        Assert.Equal(Unmapped + 8, m.State.Cr2);
        Assert.Equal(SystemMachine.KernelCode + (ulong)SystemMachine.Length(before), m.StackSlot(1));
        Assert.Equal(Unmapped + 16, m.StackSlot(4)); // RSP as it was before the PUSH
        Assert.Equal(0x1234UL, m.State.Gpr[0]);
        Assert.Equal(0UL, m.State.Gpr[1]);
    }

    [Theory]
    [InlineData(JitMode.Off, CompileTier.Quick)]
    [InlineData(JitMode.Always, CompileTier.Optimized)]
    public void PushOnANonCanonicalStackIsAStackFault(JitMode mode, CompileTier tier)
    {
        using var m = new SystemMachine();
        m.Cpu.JitMode = mode;
        m.Cpu.JitFirstTier = tier;
        m.SetGate(ExceptionVector.StackFault, dpl: 0, ist: 1);
        m.Load(SystemMachine.KernelCode, a =>
        {
            a.mov(rsp, 0x8000_0000_0000_0008UL);
            a.add(rbx, 1);
            a.push(rbx);
            a.hlt();
        });
        m.RunToHandler(ExceptionVector.StackFault);
        Assert.Equal(0x8000_0000_0000_0008UL, m.StackSlot(4)); // RSP as it was (after the error code, RIP, CS, RFLAGS)
        Assert.Equal(1UL, m.State.Gpr[3]);
    }

    /// <summary>Runs <paramref name="code"/> with paging on (2 MiB mapped) until the #PF handler, which runs on IST1.</summary>
    private static SystemMachine Run(JitMode mode, CompileTier tier, Action<Assembler> code)
    {
        var m = new SystemMachine();
        m.Cpu.JitMode = mode;
        m.Cpu.JitFirstTier = tier;
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
