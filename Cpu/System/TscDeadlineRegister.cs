namespace Cpu.System;

/// <summary>
/// The local APIC's IA32_TSC_DEADLINE register as the CPU's MSR code reaches it (the APIC lives in
/// Devices, which the CPU does not reference): a read and a write (SDM Vol. 3A, 10.5.4.1).
/// </summary>
/// <param name="Read">RDMSR 6E0H: the armed deadline, or 0.</param>
/// <param name="Write">WRMSR 6E0H: arms (non-zero) or disarms (zero) the timer.</param>
public sealed record TscDeadlineRegister(Func<ulong> Read, Action<ulong> Write);
