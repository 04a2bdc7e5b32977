using Cpu.Tests.Differential.Harness;
using Iced.Intel;
using Mmu;
using Mmu.Io;
using Mmu.Physical;
using static Iced.Intel.AssemblerRegisters;

namespace Cpu.Tests.Differential;

/// <summary>
/// #DE runs only in the emulator (on the host it would kill the test process): a division by zero or
/// with a quotient too large must deliver vector 0 through the IDT, with RIP at the DIV/IDIV and RAX/RDX
/// unchanged (faults are precise, SDM Vol. 3A 6.5).
/// </summary>
public class DivideErrorTests
{
    private const ulong GdtOffset = 0xC000;
    private const ulong IdtOffset = 0xC100;
    private const ulong HandlerOffset = 0xD000;

    public static TheoryData<string> Cases() => new("div zero", "div overflow", "idiv zero", "idiv overflow", "idiv min / -1", "div r8 overflow");

    [Theory]
    [MemberData(nameof(Cases))]
    public void DivideErrorIsDeliveredThroughTheIdt(string what)
    {
        DifferentialRunner.RequireNative();
        (Action<Assembler> Code, ulong Rax, ulong Rdx, ulong Rcx) setup = what switch
        {
            "div zero" => (a => a.div(rcx), 5UL, 0UL, 0UL),
            "div overflow" => (a => a.div(rcx), 0UL, 2UL, 2UL),
            "idiv zero" => (a => a.idiv(ecx), 7UL, 0UL, 0UL),
            "idiv overflow" => (a => a.idiv(ecx), 0UL, 0x4000_0000UL, 1UL),
            "idiv min / -1" => (a => a.idiv(rcx), 0x8000_0000_0000_0000UL, ulong.MaxValue, ulong.MaxValue),
            _ => (a => a.div(cl), 0x1000UL, 0UL, 0x10UL),
        };

        ulong b = HarnessLayout.Base;
        using var ram = new PhysicalMemory(HarnessLayout.GuestRamSize);
        var cpu = new Processor(new LinearMemory(new PhysicalBus(ram)), new PortSpace());
        byte[] snippet = NativeCpu.Assemble(HarnessLayout.SnippetAddress, setup.Code);
        snippet.CopyTo(ram.Span(HarnessLayout.SnippetAddress, snippet.Length));
        ram.Span(HarnessLayout.SnippetAddress + (ulong)snippet.Length, 1)[0] = EmulatedCpu.Hlt;

        // GDT: null, 64-bit code at 0x08, data at 0x10. IDT entry 0: a 64-bit interrupt gate to a HLT.
        Span<byte> gdt = ram.Span(b + GdtOffset, 24);
        BitConverter.TryWriteBytes(gdt[8..], 0x00AF_9B00_0000_FFFFUL);
        BitConverter.TryWriteBytes(gdt[16..], 0x00CF_9300_0000_FFFFUL);
        ulong handler = b + HandlerOffset;
        Span<byte> gate = ram.Span(b + IdtOffset, 16);
        BitConverter.TryWriteBytes(gate, (ushort)handler);
        BitConverter.TryWriteBytes(gate[2..], (ushort)0x08);
        gate[5] = 0x8E;
        BitConverter.TryWriteBytes(gate[6..], (ushort)(handler >> 16));
        BitConverter.TryWriteBytes(gate[8..], (uint)(handler >> 32));
        ram.Span(handler, 1)[0] = EmulatedCpu.Hlt;

        var gpr = new ulong[16];
        gpr[0] = setup.Rax;
        gpr[1] = setup.Rcx;
        gpr[2] = setup.Rdx;
        gpr[4] = HarnessLayout.InitialRsp;
        EmulatedCpu.Prepare(cpu, gpr, 2);
        cpu.State.GdtrBase = b + GdtOffset;
        cpu.State.GdtrLimit = 23;
        cpu.State.IdtrBase = b + IdtOffset;
        cpu.State.IdtrLimit = 0xFFF;

        Assert.Equal(Cpu.Execution.StopReason.Halted, cpu.Run(100));
        Assert.Equal(handler + 1, cpu.State.Rip);
        Assert.Equal(setup.Rax, cpu.State.Gpr[0]);
        Assert.Equal(setup.Rdx, cpu.State.Gpr[2]);

        // The frame: RIP of the faulting instruction, CS, RFLAGS, RSP, SS (no error code for #DE).
        ulong rsp = cpu.State.Gpr[4];
        Assert.Equal(HarnessLayout.InitialRsp - 40, rsp);
        Assert.Equal(HarnessLayout.SnippetAddress, BitConverter.ToUInt64(ram.Span(rsp, 8)));
        Assert.Equal(0x08UL, BitConverter.ToUInt64(ram.Span(rsp + 8, 8)) & 0xFFFF);
        Assert.Equal(HarnessLayout.InitialRsp, BitConverter.ToUInt64(ram.Span(rsp + 24, 8)));
    }
}
