using BenchmarkDotNet.Attributes;
using Emulator.Machines;

namespace Benchmarks.Machine;

/// <summary>
/// Emulator start-up as a user feels it: building the PC and loading a multiboot kernel (everything before
/// the first guest instruction), and then running until the guest's first line on COM1.
/// The guest is Guest/build/tests/hello.elf (falling back to Guest/prebuilt).
/// </summary>
[MemoryDiagnoser]
public class MachineStartupBenchmark
{
    private MachineConfiguration configuration = null!;

    [GlobalSetup]
    public void Setup()
    {
        configuration = new MachineConfiguration
        {
            KernelPath = GuestImages.Find("tests/hello.elf"),
            MemorySize = 256UL * 1024 * 1024,
        };
    }

    /// <summary>Machine construction, devices, RAM and the multiboot load: start to the first guest instruction.</summary>
    [Benchmark]
    public ulong StartToFirstInstruction()
    {
        using var machine = new Emulator.Machines.Machine(configuration);
        return machine.Processor.State.Rip;
    }

    /// <summary>Start, then run until the guest prints its first line on COM1.</summary>
    [Benchmark]
    public string? StartToFirstSerialLine()
    {
        using var machine = new Emulator.Machines.Machine(configuration);
        RunResult result = machine.RunUntil(RunCondition.SerialLineMatches("."));
        return result.MatchedLine;
    }
}
