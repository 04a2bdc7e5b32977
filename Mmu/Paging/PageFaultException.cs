namespace Mmu.Paging;

/// <summary>
/// A #PF raised by a translation. The CPU catches it at the instruction boundary, loads CR2 with
/// <see cref="LinearAddress"/> and delivers vector 14 with <see cref="ErrorCode"/> (Intel SDM 4.7).
/// It is thrown before any architectural state of the faulting instruction was changed.
/// </summary>
public sealed class PageFaultException : Exception
{
    public PageFaultException(ulong linearAddress, uint errorCode)
        : base($"#PF at 0x{linearAddress:X16}, error code 0x{errorCode:X}")
    {
        LinearAddress = linearAddress;
        ErrorCode = errorCode;
    }

    public ulong LinearAddress { get; }

    public uint ErrorCode { get; }
}
