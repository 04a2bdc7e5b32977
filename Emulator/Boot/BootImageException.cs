namespace Emulator.Boot;

/// <summary>A kernel or module that cannot be booted; the message is one line for the user.</summary>
public sealed class BootImageException(string message) : Exception(message);
