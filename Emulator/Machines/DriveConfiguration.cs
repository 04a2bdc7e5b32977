namespace Emulator.Machines;

/// <summary>One disk of the machine: a raw image file, served read-write or read-only.</summary>
public sealed record DriveConfiguration(string Path, bool ReadOnly = false);
