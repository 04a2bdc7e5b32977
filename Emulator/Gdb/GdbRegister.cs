using Cpu;

namespace Emulator.Gdb;

/// <summary>
/// One register as gdb sees it: its name, size and type in the target description, the feature it
/// belongs to, and how it is read and written. <paramref name="Set"/> is null for a register gdb may
/// show but not change (x87 state emu does not have, segment selectors).
/// </summary>
public sealed record GdbRegister(string Name, int Bits, string Type, string Feature, Func<Processor, ulong> Get, Action<Processor, ulong>? Set)
{
    public int Bytes => Bits / 8;
}
