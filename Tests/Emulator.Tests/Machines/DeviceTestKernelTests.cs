using Emulator.Machines;
using TestSupport;

namespace Emulator.Tests.Machines;

/// <summary>
/// The bare-metal device test kernels (Guest/tests) boot on the machine in-process and pass: the devices
/// behave at register level as the kernels observed them on QEMU. Guest.Tests compares whole transcripts.
/// </summary>
public class DeviceTestKernelTests
{
    [Theory]
    [InlineData("uart")]
    [InlineData("lapic")]
    [InlineData("ioapic")]
    [InlineData("rtc")]
    [InlineData("ps2")]
    public void KernelPasses(string kernel)
    {
        using var machine = new Machine(new MachineConfiguration
        {
            KernelPath = RepoPaths.GuestImage($"tests/{kernel}.elf"),
            MemorySize = 64UL * 1024 * 1024,
        });
        RunResult result = machine.RunUntil(new RunCondition { MaxInstructions = 400_000_000, WallTimeout = TimeSpan.FromSeconds(60) });

        Assert.True(result.Cause == StopCause.DebugExit, $"stopped by {result.Cause}; transcript:\n{machine.SerialTranscript}");
        Assert.Contains($"TEST {kernel}: PASS", machine.SerialTranscript);
        Assert.Equal(1, result.DebugExitStatus);
    }
}
