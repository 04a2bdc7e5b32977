namespace Emulator.Machines;

/// <summary>
/// One disk of the machine: a raw image file, served read-write or read-only; its image I/O on a worker thread
/// (<paramref name="IoWorker"/>, QEMU's <c>aio=threads</c>) or on the CPU thread (<c>aio=inline</c>).
/// </summary>
public sealed record DriveConfiguration(string Path, bool ReadOnly = false, bool IoWorker = true);
