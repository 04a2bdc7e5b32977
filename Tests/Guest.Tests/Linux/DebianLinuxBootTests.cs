using System.Text.RegularExpressions;
using Cpu.Translation;
using Guest.Tests.Emu;
using TestSupport;

namespace Guest.Tests.Linux;

/// <summary>
/// Debian's own kernel boots on emu with a busybox initramfs to a shell on the serial console, the way
/// <c>qemu-system-x86_64 -kernel vmlinuz -initrd initrd -append console=ttyS0</c> boots it; the shell is
/// driven over COM1 and its answers compared with the same boot on QEMU.
/// </summary>
public sealed class DebianLinuxBootTests
{
    private const string Ready = "emu-linux: shell ready";
    private const string Append = "console=ttyS0 nokaslr panic=-1";

    /// <summary>Each command is followed by a marker line, so its output can be cut out of the transcript.</summary>
    private static readonly string[] Commands =
    [
        "uname -r",
        "echo $((6 * 7)) $((1 << 20))",
        "grep -m1 '^flags' /proc/cpuinfo",
        "cat /proc/cmdline",
    ];

    private static readonly string[] EmuFaults =
    [
        "unchecked MSR access", "WARNING:", "calibration failed", "TSC unstable", "rcu_sched detected stalls",
        "rcu: INFO", "Machine check", "invalid opcode", "BUG:", "Oops", "Kernel panic",
    ];

    private static string Script(string end = "poweroff -f")
    {
        var s = new System.Text.StringBuilder();
        for (int i = 0; i < Commands.Length; i++)
        {
            s.Append("echo @@S").Append(i).Append("@@; ").Append(Commands[i]).Append("; echo @@E").Append(i).Append("@@\n");
        }

        s.Append(end).Append('\n');
        return s.ToString();
    }

    private static string Initramfs(DebianLinux linux)
    {
        string path = Path.Combine(Path.GetTempPath(), $"emu-linux-initrd-{Environment.ProcessId}.cpio");
        File.WriteAllBytes(path, linux.Initramfs(
            "mount -t proc proc /proc\nmount -t sysfs sys /sys\nmount -t devtmpfs dev /dev\n" +
            $"echo '{Ready}'\nexec setsid cttyhack sh\n"));
        return path;
    }

    /// <summary>The output of command <paramref name="index"/>: the lines between its start and end marker lines.</summary>
    private static string Answer(string transcript, int index)
    {
        string text = transcript.Replace("\r", string.Empty);
        Match answer = Regex.Match(text, $"^@@S{index}@@\n(.*?)^@@E{index}@@$", RegexOptions.Multiline | RegexOptions.Singleline);
        Assert.True(answer.Success, $"command {index} ({Commands[index]}) did not answer:\n{text}");
        return answer.Groups[1].Value.Trim();
    }

    /// <summary>
    /// Boots twice with the JIT on and once with it off. On the deterministic clock a run is a pure function of its
    /// input, so the JIT-off transcript must equal the first JIT-on one up to the last command typed, and the two JIT-on transcripts (the kernel's
    /// timestamps included) must be identical up to the last command typed: the first ends with `poweroff -f`, the second with `reboot -f`, after which the machine resets
    /// (Linux writes 0xCF9 or pulses the keyboard controller), the same kernel boots again to the shell, and that one
    /// powers off. Each boot's answers are checked, the flags line against emu's CPUID, and the shell's answers
    /// against QEMU's.
    /// </summary>
    [Fact]
    public void BootsToAShellThatAnswersAsOnQemuAndPowersOffTheSameOnEveryRun()
    {
        DebianLinux linux = DebianLinux.Require();
        string initrd = Initramfs(linux);
        try
        {
            string compiled = BootOnEmu(linux, initrd, JitMode.On);
            string rebooted = BootOnEmu(linux, initrd, JitMode.On, reboot: true);
            int end = compiled.IndexOf("poweroff -f", StringComparison.Ordinal);
            Assert.True(string.CompareOrdinal(compiled, 0, rebooted, 0, end) == 0 && rebooted.AsSpan(end).StartsWith("reboot -f"),
                "two deterministic boots differ at character " + compiled.AsSpan().CommonPrefixLength(rebooted) +
                " (the last command is at " + end + "):\n--- first:\n" + compiled + "\n--- second:\n" + rebooted);
            Assert.True(Regex.Matches(rebooted, @"\] Linux version \d").Count == 2,
                "reboot -f did not boot the kernel a second time:\n" + rebooted);
            // The engines retire the same instruction stream: the interpreter's transcript equals the JIT's to the
            // microsecond up to the last command typed (before compiled code published its count to MMIO, they parted
            // at about 0.267 s). Keys are typed between run slices, whose ends differ between the engines, so the
            // timestamps after the last command may differ by microseconds (seen: 15 us).
            string interpreted = BootOnEmu(linux, initrd, JitMode.Off);
            Assert.True(string.CompareOrdinal(compiled, 0, interpreted, 0, end + "poweroff -f".Length) == 0,
                "the interpreted and compiled boots differ at character " +
                compiled.AsSpan().CommonPrefixLength(interpreted) + ":\n--- compiled:\n" + compiled + "\n--- interpreted:\n" + interpreted);

            ProcessResult qemu = Qemu.RunInteractive(
                ["-kernel", linux.Kernel, "-initrd", initrd, "-append", Append, "-m", "256M", "-display", "none",
                    "-serial", "stdio", "-monitor", "none", "-no-reboot"],
                Ready, Script(), TimeSpan.FromMinutes(5));
            Assert.False(qemu.TimedOut, qemu.StandardOutput);
            Assert.Equal(Answer(qemu.StandardOutput, 0), Answer(compiled, 0));
            Assert.Equal(Answer(qemu.StandardOutput, 1), Answer(compiled, 1));
            Assert.Equal(Answer(qemu.StandardOutput, 3), Answer(compiled, 3));
        }
        finally
        {
            File.Delete(initrd);
        }
    }

    /// <summary>The CPU features of the machine emu builds for this boot (what its CPUID reports).</summary>
    private static Cpu.System.CpuFeatures MachineFeatures(DebianLinux linux, string initrd)
    {
        using var machine = new Emulator.Machines.Machine(new Emulator.Machines.MachineConfiguration
        {
            KernelPath = linux.Kernel,
            Modules = [new Emulator.Boot.MultibootModule(initrd, initrd)],
            CommandLine = Append,
        });
        return machine.Processor.SystemRegisters.Features;
    }

    /// <summary>
    /// One boot on emu to power-off, checked on its own; returns the COM1 transcript. With <paramref name="reboot"/>
    /// the first shell reboots and the second powers off.
    /// </summary>
    private static string BootOnEmu(DebianLinux linux, string initrd, JitMode jit, bool reboot = false)
    {
        int shells = 0;
        void Type(Emulator.Machines.Machine m)
        {
            string script = ++shells == 1 ? Script(reboot ? "reboot -f" : "poweroff -f") : "poweroff -f\n";
            m.Serial.EnqueueInput(System.Text.Encoding.ASCII.GetBytes(script));
        }

        ProcessResult emu = EmuRunner.RunKernel(linux.Kernel, initrd, Append, TimeSpan.FromMinutes(15),
            afterLine: $"^{Regex.Escape(Ready)}", then: Type, jit: jit, times: reboot ? 2 : 1);
        Assert.True(emu.StandardError == "emu stopped: PowerOff", $"--jit {jit}: {emu.StandardError}\n{emu.StandardOutput}");
        foreach (string fault in EmuFaults)
        {
            Assert.DoesNotContain(fault, emu.StandardOutput);
        }

        Assert.Equal(linux.Release, Answer(emu.StandardOutput, 0));
        Assert.Equal("42 1048576", Answer(emu.StandardOutput, 1));
        IReadOnlyList<string> dishonest = LinuxCpuFlags.Mismatches(Answer(emu.StandardOutput, 2), MachineFeatures(linux, initrd));
        Assert.True(dishonest.Count == 0, "/proc/cpuinfo and emu's CPUID disagree:\n" + string.Join("\n", dishonest));
        Assert.Equal(Append, Answer(emu.StandardOutput, 3));
        return emu.StandardOutput;
    }
}
