using System.Text;
using Devices.Timing;
using Emulator.Machines;
using Guest.Tests.Emu;

namespace Guest.Tests.Disk;

/// <summary>
/// The disk keeps deterministic mode's promise: Mica's `test=disk` (blkd reading and writing sectors, flushes,
/// the completion interrupts) prints the same transcript and ends with the same counters in two runs with the
/// image I/O on the worker thread, and in a run with it on the CPU thread: the completions are raised at the
/// same virtual time whichever thread did the I/O.
/// </summary>
public sealed class DiskDeterminismTests : IDisposable
{
    private const int ImageBytes = 8 << 20;
    private readonly string image = Path.Combine(Path.GetTempPath(), $"mica-det-{Guid.NewGuid():N}.img");

    public void Dispose() => File.Delete(image);

    [Fact]
    public void TwoDeterministicRunsWithTheIoWorkerAndOneInlineAreIdentical()
    {
        (string Transcript, string Counters) first = Boot(ioWorker: true);
        (string Transcript, string Counters) second = Boot(ioWorker: true);
        (string Transcript, string Counters) inline = Boot(ioWorker: false);
        Assert.True(first.Transcript.Contains("TEST disk: PASS", StringComparison.Ordinal), first.Transcript);
        Assert.Contains("disk requests:", first.Counters);
        Assert.Equal(first.Transcript, second.Transcript);
        Assert.Equal(first.Counters, second.Counters);
        Assert.Equal(first.Transcript, inline.Transcript);
        Assert.Equal(first.Counters, inline.Counters);
    }

    private (string Transcript, string Counters) Boot(bool ioWorker)
    {
        byte[] content = new byte[ImageBytes];
        for (int k = 0; k < 8; k++)
        {
            Encoding.ASCII.GetBytes($"sector {k}").CopyTo(content, k * 512); // what test=disk expects to read
        }

        File.WriteAllBytes(image, content);
        MachineConfiguration config = MicaMachine.Configuration(ClockMode.Deterministic, "test=disk") with
        {
            Drives = [new DriveConfiguration(image, IoWorker: ioWorker)],
        };
        using var machine = new Machine(config);
        RunResult result = machine.RunUntil(RunCondition.Timeout(TimeSpan.FromSeconds(120)));
        Assert.Equal(StopCause.DebugExit, result.Cause);
        return (machine.SerialTranscript, result.Counters.WithoutHostTiming().ToText());
    }
}
