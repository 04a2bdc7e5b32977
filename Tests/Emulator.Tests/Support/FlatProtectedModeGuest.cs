using Cpu.State;
using Emulator.Machines;
using Iced.Intel;

namespace Emulator.Tests.Support;

/// <summary>
/// Puts a small 32-bit guest into a machine's RAM as a multiboot loader would leave it: flat code and
/// data segments, an IDT whose one gate points at <c>handler</c>, the stack below 32 KiB, the CPU at
/// the first instruction.
/// </summary>
public static class FlatProtectedModeGuest
{
    /// <summary>Where the code goes.</summary>
    public const ulong Code = 0x10_0000;

    /// <summary>The IDT; its pseudo-descriptor for LIDT sits at <see cref="IdtPointer"/>.</summary>
    public const ulong Idt = 0x2000;

    /// <summary>LIDT's operand: limit and base of <see cref="Idt"/>.</summary>
    public const uint IdtPointer = (uint)Idt + 0x800;

    private const ulong Gdt = 0x1000;

    /// <summary>Assembles <paramref name="a"/> at <see cref="Code"/> and installs a 32-bit interrupt gate for <paramref name="vector"/> at <paramref name="handler"/>.</summary>
    public static void Load(Machine machine, Assembler a, Label handler, int vector)
    {
        using var stream = new MemoryStream();
        AssemblerResult assembled = a.Assemble(new StreamCodeWriter(stream), Code, BlockEncoderOptions.ReturnNewInstructionOffsets);
        byte[] code = stream.ToArray();
        code.CopyTo(machine.Ram.Span(Code, code.Length));
        uint handlerAddress = (uint)assembled.GetLabelRIP(handler);

        // GDT: null, null, flat code (0x10), flat data (0x18); the gate: present, DPL 0, 32-bit interrupt gate.
        BitConverter.GetBytes(0x00CF_9B00_0000_FFFFUL).CopyTo(machine.Ram.Span(Gdt + 16, 8));
        BitConverter.GetBytes(0x00CF_9300_0000_FFFFUL).CopyTo(machine.Ram.Span(Gdt + 24, 8));
        ulong gate = (handlerAddress & 0xFFFFUL) | (0x10UL << 16) | (0x8EUL << 40) | ((ulong)(handlerAddress >> 16) << 48);
        BitConverter.GetBytes(gate).CopyTo(machine.Ram.Span(Idt + ((ulong)vector * 8), 8));
        BitConverter.GetBytes((ushort)0x7FF).CopyTo(machine.Ram.Span(IdtPointer, 2));
        BitConverter.GetBytes((uint)Idt).CopyTo(machine.Ram.Span(IdtPointer + 2, 4));

        CpuState s = machine.Processor.State;
        Emulator.Boot.BootEntryState.Multiboot(s, new Emulator.Boot.BootInfo((uint)Code, 0, (uint)Code, (uint)Code, [], (uint)Gdt));
        s.Segments[SegmentIndex.Ss].Selector = 0x18;
        s.Gpr[4] = 0x8000; // ESP
    }
}
