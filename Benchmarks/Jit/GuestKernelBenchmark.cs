using System.Diagnostics;
using BenchmarkDotNet.Attributes;
using Cpu.Translation;
using Devices.Timing;
using Emulator.Machines;

namespace Benchmarks.Jit;

/// <summary>
/// Compute-bound guest kernels run to their debug-exit: on emu in process with the JIT off and on, and on
/// <c>qemu-system-x86_64</c> (TCG) as a child process, in one run. Each kernel is built by
/// <c>Benchmarks/Jit/build-guest.sh KERNEL 100 2100</c> (after <c>make -C Guest</c>); the two round counts let
/// the start-up cancel: the time of 2 000 rounds is (time at 2100) - (time at 100), for each engine alike.
/// <c>coremix</c> is the CoreMark-class mix (Guest/tests/coremix.c: list sort, CRC, matrices, a state
/// machine, recursion; data on its code's page), <c>guestloop</c> the JIT benchmark's loop, <c>simdloop</c> loops
/// gcc vectorised with SSE2 (packed float, double and integer arithmetic; Benchmarks/Jit/SimdLoop/simdloop.c).
/// </summary>
[ShortRunJob]
public class GuestKernelBenchmark
{
    /// <summary>Who runs the kernel.</summary>
    public enum Engine
    {
        EmuJitOff,
        EmuJitOn,
        QemuTcg,
    }

    private string image = string.Empty;

    [Params("coremix", "guestloop", "simdloop")]
    public string Kernel { get; set; } = "coremix";

    [Params(100, 2100)]
    public int Rounds { get; set; }

    [Params(Engine.EmuJitOff, Engine.EmuJitOn, Engine.QemuTcg)]
    public Engine RunOn { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        for (string? dir = AppContext.BaseDirectory; dir is not null && !File.Exists(image); dir = Path.GetDirectoryName(dir))
        {
            image = Path.Combine(dir, "Benchmarks", "Jit", "build", $"{Kernel}-{Rounds}.elf");
        }

        if (!File.Exists(image))
        {
            throw new FileNotFoundException($"build it first: Benchmarks/Jit/build-guest.sh {Kernel} {Rounds}", image);
        }
    }

    /// <summary>The whole kernel, from the machine's construction to its debug-exit.</summary>
    [Benchmark]
    public long RunToExit() => RunOn == Engine.QemuTcg ? RunOnQemu() : RunOnEmu(RunOn == Engine.EmuJitOn ? JitMode.On : JitMode.Off);

    private long RunOnEmu(JitMode jit)
    {
        using var machine = new Emulator.Machines.Machine(new MachineConfiguration { KernelPath = image, ClockMode = ClockMode.Deterministic, Jit = jit });
        RunResult result = machine.RunUntil(RunCondition.Timeout(TimeSpan.FromMinutes(10)));
        if (result.Cause != StopCause.DebugExit || !machine.SerialTranscript.Contains(Kernel == "guestloop" ? "guestloop: 716fb572" : $"TEST {Kernel}: PASS", StringComparison.Ordinal))
        {
            throw new InvalidOperationException($"{Kernel} did not pass on emu: {result.Cause}\n{machine.SerialTranscript}");
        }

        return result.Counters.InstructionsRetired;
    }

    private long RunOnQemu()
    {
        var start = new ProcessStartInfo("qemu-system-x86_64")
        {
            ArgumentList = { "-display", "none", "-serial", "none", "-no-reboot", "-m", "256M", "-cpu", "max",
                "-device", "isa-debug-exit,iobase=0xf4,iosize=0x04", "-kernel", image },
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        using Process qemu = Process.Start(start) ?? throw new InvalidOperationException("qemu-system-x86_64 did not start");
        qemu.WaitForExit();
        return qemu.ExitCode;
    }
}
