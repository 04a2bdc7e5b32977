namespace Emulator.Machines;

/// <summary>
/// One disk of the machine: a raw image file, served read-write or read-only; its image I/O on the CPU thread
/// (the default, <c>aio=inline</c>: measured cheaper, docs/DISKS.md) or on a worker thread (<paramref name="IoWorker"/>,
/// <c>aio=threads</c>).
/// </summary>
public sealed record DriveConfiguration(string Path, bool ReadOnly = false, bool IoWorker = false);
