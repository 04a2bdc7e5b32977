using Iced.Intel;

namespace Cpu.Execution;

/// <summary>An internal error of the emulator while running a guest instruction, reported with the guest RIP, bytes and disassembly.</summary>
public sealed class EmulatorBugException : Exception
{
    public EmulatorBugException(in Instruction instruction, Exception inner)
        : base($"emulator bug at guest RIP 0x{instruction.IP:X} ({instruction}, code {instruction.Code}): {inner.Message}", inner)
    {
        GuestRip = instruction.IP;
    }

    public ulong GuestRip { get; }
}
