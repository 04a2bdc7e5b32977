namespace Cpu.State;

/// <summary>Indices of <see cref="CpuState.Segments"/>: the encoding order of the segment registers.</summary>
public static class SegmentIndex
{
    public const int Es = 0;
    public const int Cs = 1;
    public const int Ss = 2;
    public const int Ds = 3;
    public const int Fs = 4;
    public const int Gs = 5;
}
