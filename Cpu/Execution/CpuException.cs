namespace Cpu.Execution;

/// <summary>
/// A guest exception raised by an instruction's semantics (#UD, #GP, #DE, #SS, #NP, ...). It is thrown
/// before the instruction changes any architectural state; the run loop rewinds RIP to the faulting
/// instruction and delivers <see cref="Vector"/> through the IDT.
/// </summary>
public sealed class CpuException : Exception
{
    public CpuException(int vector, uint? errorCode = null)
        : base(errorCode is { } code ? $"CPU exception {vector} ({code:X})" : $"CPU exception {vector}")
    {
        Vector = vector;
        ErrorCode = errorCode;
    }

    public int Vector { get; }

    public uint? ErrorCode { get; }

    public static CpuException InvalidOpcode() => new(ExceptionVector.InvalidOpcode);

    public static CpuException GeneralProtection(uint errorCode = 0) => new(ExceptionVector.GeneralProtection, errorCode);

    public static CpuException DivideError() => new(ExceptionVector.DivideError);

    public static CpuException DeviceNotAvailable() => new(ExceptionVector.DeviceNotAvailable);

    public static CpuException X87FloatingPoint() => new(ExceptionVector.X87FloatingPoint);

    public static CpuException SimdFloatingPoint() => new(ExceptionVector.SimdFloatingPoint);

    public static CpuException StackFault(uint errorCode = 0) => new(ExceptionVector.StackFault, errorCode);
}
