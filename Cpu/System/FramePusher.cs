using Cpu.Execution;
using Cpu.State;

namespace Cpu.System;

/// <summary>
/// Pushes a frame onto a stack that is not (yet) the current one: interrupt delivery onto RSP0 or an
/// IST stack, far CALL. The stack pointer it ends with is committed by the caller once all writes worked.
/// </summary>
public struct FramePusher
{
    private readonly Processor cpu;
    private readonly ulong stackBase;
    private readonly ulong mask;
    private readonly bool sixtyFourBit;
    private readonly bool user;

    public FramePusher(Processor cpu, in SegmentRegister ss, ulong sp, bool sixtyFourBit, int cpl)
    {
        this.cpu = cpu;
        stackBase = sixtyFourBit ? 0 : ss.Base;
        mask = SystemStack.PointerMask(ss, sixtyFourBit);
        this.sixtyFourBit = sixtyFourBit;
        user = cpl == 3;
        Pointer = sp & mask;
    }

    /// <summary>The stack pointer after the pushes so far (masked to the stack size).</summary>
    public ulong Pointer { get; private set; }

    /// <summary>The mask of the stack size (for merging into RSP).</summary>
    public readonly ulong Mask => mask;

    public void Push(int size, ulong value)
    {
        Pointer = (Pointer - (ulong)size) & mask;
        if (sixtyFourBit && !ProcessorMode.IsCanonical(Pointer))
        {
            throw CpuException.StackFault(0);
        }

        ulong linear = sixtyFourBit ? Pointer : (stackBase + Pointer) & 0xFFFF_FFFF;
        SystemStack.WriteAs(cpu, linear, size, value, user);
    }
}
