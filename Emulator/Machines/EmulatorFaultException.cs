namespace Emulator.Machines;

/// <summary>A bug in the emulator met while running the guest; the message names the guest RIP.</summary>
public sealed class EmulatorFaultException(string message, Exception inner) : Exception(message, inner);
