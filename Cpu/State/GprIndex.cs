namespace Cpu.State;

/// <summary>Indices of the general-purpose registers in <see cref="CpuState.Gpr"/> (their encoding numbers).</summary>
public static class GprIndex
{
    public const int Rax = 0;
    public const int Rcx = 1;
    public const int Rdx = 2;
    public const int Rbx = 3;
    public const int Rsp = 4;
    public const int Rbp = 5;
    public const int Rsi = 6;
    public const int Rdi = 7;
}
