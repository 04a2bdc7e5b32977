using Cpu.Execution;
using Cpu.State;

namespace Cpu.System;

// SystemInstructions, part: I/O permission and port access (IN, OUT, INS, OUTS).
public static partial class SystemInstructions
{
    /// <summary>
    /// The I/O permission check of IN/OUT/INS/OUTS (Intel SDM 19.5: CPL &lt;= IOPL, else the TSS bitmap).
    /// Throws #GP(0) when the access is denied; an allowed access is shown to the guest's I/O breakpoints.
    /// </summary>
    public static void CheckIoPermission(Processor cpu, ushort port, int size)
    {
        CpuState s = cpu.State;
        if (ProcessorMode.IsProtected(s) && s.Cpl > SystemFlags.IoplOf(s.Rflags) && !TaskStateSegment.IoBitmapAllows(cpu, port, size))
        {
            throw CpuException.GeneralProtection(0);
        }

        if (cpu.GuestDebug.IoSlots != 0 && cpu.GuestDebug.ObservePort(port, size))
        {
            cpu.EndBlock();
        }
    }

    /// <summary>IN: the permission check, then a read of <paramref name="size"/> bytes from <paramref name="port"/>.</summary>
    public static uint PortIn(Processor cpu, ushort port, int size)
    {
        CheckIoPermission(cpu, port, size);
        return cpu.Ports.In(port, size);
    }

    /// <summary>OUT: the permission check, then a write of <paramref name="size"/> bytes to <paramref name="port"/>.</summary>
    public static void PortOut(Processor cpu, ushort port, int size, uint value)
    {
        CheckIoPermission(cpu, port, size);
        cpu.Ports.Out(port, size, value);
    }
}
