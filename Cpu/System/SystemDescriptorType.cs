namespace Cpu.System;

/// <summary>Type fields of system descriptors (S = 0), Intel SDM 3.5 table 3-2.</summary>
public static class SystemDescriptorType
{
    public const int Tss16Available = 1;
    public const int Ldt = 2;
    public const int Tss16Busy = 3;
    public const int CallGate16 = 4;
    public const int TaskGate = 5;
    public const int InterruptGate16 = 6;
    public const int TrapGate16 = 7;
    public const int TssAvailable = 9;
    public const int TssBusy = 11;
    public const int CallGate = 12;
    public const int InterruptGate = 14;
    public const int TrapGate = 15;
}
