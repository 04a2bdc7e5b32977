using System.Diagnostics;
using Cpu;
using Cpu.Execution;
using Cpu.System;
using Devices.Acpi;
using Devices.Apic;
using Devices.Debug;
using Devices.Display;
using Devices.Hpet;
using Devices.Interrupts;
using Devices.Pci;
using Devices.Pic;
using Devices.Pit;
using Devices.Ps2;
using Devices.Reset;
using Devices.Rtc;
using Devices.Serial;
using Devices.Storage;
using Devices.TestDevices;
using Devices.Timing;
using Devices.Virtio;
using Emulator.Boot;
using Emulator.Tracing;
using Mmu;
using Mmu.Io;
using Mmu.Physical;

namespace Emulator.Machines;

/// <summary>
/// A PC like QEMU's pc machine: RAM, the physical bus, port space, the devices of DESIGN.md section 5, one
/// processor and the virtual clock, built from a <see cref="MachineConfiguration"/> and run with
/// <see cref="RunUntil"/>. Everything the CLI does goes through here; tests use it in-process.
/// </summary>
public sealed partial class Machine : IDisposable
{
    private const long DeterministicSlice = 1_000_000;
    private const long RealtimeSlice = 100_000;

    private readonly MachineConfiguration configuration;
    private readonly MemorySerialSink? transcript;
    private readonly InstructionTracer? tracer;
    private readonly Stopwatch hostTime = new();
    private volatile bool externalStop;
    private volatile bool stdinOpen;
    private bool inRun;
    private StopCause? pendingCause;
    private string? matchedLine;
    private RunCondition condition = RunCondition.GuestStops;
    private long halts;

    /// <summary>Where the first disk's BARs go (later disks follow), as SeaBIOS would place them.</summary>
    private const uint DiskIoBase = PciIoWindow.Start;
    private const uint DiskMemoryBase = 0xFE00_0000;
    private const uint DiskMsixBase = 0xFEB0_0000;
    private const int FirstDiskSlot = 3;

    /// <summary>Where pci-testdev's BARs go: above the disks' memory BARs, and the last 256 ports of the I/O window.</summary>
    private const uint PciTestMemoryBase = 0xFEBF_F000;
    private const uint PciTestIoBase = 0xFF00;

    /// <exception cref="BootImageException">The kernel or a module cannot be loaded.</exception>
    /// <exception cref="IOException">The kernel or a module file does not exist (<see cref="FileNotFoundException"/>) or is a directory.</exception>
    /// <exception cref="DiskImageException">A disk image is missing, locked or not whole sectors.</exception>
    public Machine(MachineConfiguration configuration)
    {
        this.configuration = configuration;
        Ram = new PhysicalMemory(configuration.MemorySize);
        Bus = new PhysicalBus(Ram);
        Ports = new PortSpace();
        Memory = new LinearMemory(Bus);
        Processor = new Processor(Memory, Ports)
        {
            JitMode = configuration.Jit,
            JitCompileTiming = configuration.ClockMode == ClockMode.Deterministic ? Cpu.Translation.JitCompileTiming.Deadline : Cpu.Translation.JitCompileTiming.Background,
        };
        Clock = new VirtualClock(configuration.ClockMode, () => Processor.InstructionsRetired);

        LocalApic = new LocalApic(Clock);
        IoApic = new IoApic(LocalApic);
        Pic = new PicPair();
        LocalApic.ConnectExtInt(Pic);
        Processor.InterruptController = LocalApic;
        Processor.SystemRegisters.TimeSource = () => (ulong)Clock.NowNs; // RDTSC: 1 GHz on the virtual clock
        LocalApic.TscSource = () => Processor.SystemRegisters.Msr.ReadTsc(Processor); // TSC-deadline compares with what RDTSC returns
        Processor.SystemRegisters.Apic = LocalApic;
        Processor.SystemRegisters.Features |= CpuFeatures.TscDeadline | CpuFeatures.X2Apic;
        LocalApic.NonMaskableInterrupt += Processor.RaiseNmi;
        Irqs = new IsaInterruptRouter(Pic.Line, IoApic.Line);

        ISerialSink sink = configuration.SerialOutput ?? NullSerialSink.Instance;
        if (configuration.KeepSerialTranscript)
        {
            transcript = new MemorySerialSink();
            sink = new TeeSerialSink(sink, transcript);
        }

        Serial = new Uart16550(Irqs.Line(Uart16550.Com1Irq), sink);
        Hpet = new Hpet(Clock, IoApic.Line, Irqs.Line(0), Irqs.Line(CmosRtc.Irq));
        Pit = new Pit8254(Clock, LegacyLine(0));
        SystemControl = new SystemControlPort(Pit, Clock);
        ResetPort = new SystemControlPortA();
        Rtc = new CmosRtc(Clock, LegacyLine(CmosRtc.Irq));
        Rtc.SetMemorySize(configuration.MemorySize);
        Keyboard = new I8042Controller(Irqs.Line(I8042Controller.KeyboardIrq), Irqs.Line(I8042Controller.MouseIrq));
        DebugExit = new DebugExit();
        AcpiPm = new AcpiPm(Clock);
        Pci = new PciBus();
        Display = new BochsDisplay();
        var hostBridge = new HostBridge();
        var isaBridge = new IsaBridge();
        Pci.Attach(0, 0, hostBridge);
        Pci.Attach(1, 0, isaBridge);
        Pci.Attach(2, 0, Display);
        Display.SetCommand(0x3); // firmware enables I/O and memory decoding, as SeaBIOS does
        Disks = AttachDisks(configuration.Drives);
        if (configuration.PciTestDevice)
        {
            PciTest = new PciTestDevice(PciTestMemoryBase, PciTestIoBase);
            PciTest.SetCommand(0x3); // decoding on, as firmware leaves it
            Pci.Attach(FirstDiskSlot + Disks.Count, 0, PciTest);
        }

        Pic.Register(Ports);
        Pit.Register(Ports);
        SystemControl.Register(Ports);
        ResetPort.Register(Ports);
        Serial.Register(Ports);
        Rtc.Register(Ports);
        Keyboard.Register(Ports);
        Ports.Register(configuration.DebugExitPort, configuration.DebugExitSize, DebugExit);
        AcpiPm.Register(Ports);
        Pci.Register(Ports);
        Display.RegisterPorts(Ports);
        LocalApic.Register(Bus);
        IoApic.Register(Bus);
        Hpet.Register(Bus);
        new PciMemoryWindow(Pci).Register(Bus);
        new PciIoWindow(Pci).Register(Ports);
        if (configuration.PcTestDevice)
        {
            PcTest = new PcTestDevice(Irqs.Line);
            PcTest.Register(Ports, Bus);
        }

        DebugExit.Exited += _ => Stop(StopCause.DebugExit);
        Keyboard.ResetRequested += RequestReset;
        Pci.ResetRequested += RequestReset;
        ResetPort.ResetRequested += RequestReset;
        AcpiPm.PoweredOff += () => Stop(StopCause.PowerOff);
        Serial.LineWritten += OnSerialLine;
        Serial.InputQueued += Clock.Wake;
        Keyboard.InputQueued += Clock.Wake;
        Clock.EarlierEventScheduled += () =>
        {
            if (inRun)
            {
                Processor.RequestStop();
            }
        };

        if (configuration.Trace is not null)
        {
            tracer = new InstructionTracer(configuration.Trace);
        }

        if (configuration.KernelPath is not null)
        {
            LoadKernel(configuration);
        }

        if (configuration.SerialInput is not null)
        {
            Serial.EnqueueInput(configuration.SerialInput);
        }

        if (configuration.SerialInputFromStdin)
        {
            StartStdinReader();
        }
    }

    public PhysicalMemory Ram { get; }

    public PhysicalBus Bus { get; }

    public PortSpace Ports { get; }

    public LinearMemory Memory { get; }

    public Processor Processor { get; }

    public VirtualClock Clock { get; }

    public LocalApic LocalApic { get; }

    public IoApic IoApic { get; }

    public PicPair Pic { get; }

    public IsaInterruptRouter Irqs { get; }

    public Pit8254 Pit { get; }

    public SystemControlPort SystemControl { get; }

    /// <summary>Port 0x92: fast reset and the A20 gate.</summary>
    public SystemControlPortA ResetPort { get; }

    public Uart16550 Serial { get; }

    public CmosRtc Rtc { get; }

    public I8042Controller Keyboard { get; }

    public DebugExit DebugExit { get; }

    public PciBus Pci { get; }

    /// <summary>The HPET at 0xFED00000, announced in the ACPI tables.</summary>
    public Hpet Hpet { get; }

    /// <summary>The ACPI power-management registers (PM1 event/control, PM timer) the FADT describes.</summary>
    public AcpiPm AcpiPm { get; }

    public BochsDisplay Display { get; }

    /// <summary>QEMU's pc-testdev, when <see cref="MachineConfiguration.PcTestDevice"/> asks for it.</summary>
    public PcTestDevice? PcTest { get; }

    /// <summary>QEMU's pci-testdev, when <see cref="MachineConfiguration.PciTestDevice"/> asks for it.</summary>
    public PciTestDevice? PciTest { get; }

    /// <summary>The virtio-blk disks, one per <see cref="MachineConfiguration.Drives"/> entry.</summary>
    public IReadOnlyList<VirtioBlock> Disks { get; }

    /// <summary>What the loader placed, or null when no kernel was given.</summary>
    public BootInfo? Boot { get; private set; }

    /// <summary>Everything the guest wrote to COM1 (when <see cref="MachineConfiguration.KeepSerialTranscript"/>).</summary>
    public string SerialTranscript => transcript?.Text ?? string.Empty;

    /// <summary>The attached debugger (the gdb stub), or null.</summary>
    public IMachineDebugger? Debugger { get; set; }

    /// <summary>Makes a running machine ask its <see cref="Debugger"/> soon (thread-safe).</summary>
    public void WakeForDebugger()
    {
        Processor.RequestStop();
        Clock.Wake();
    }

    /// <summary>Asks a running <see cref="RunUntil"/> to return soon (thread-safe).</summary>
    public void RequestStop()
    {
        externalStop = true;
        Processor.RequestStop();
        Clock.Wake();
    }

    /// <summary>Runs the guest until it stops by itself or <paramref name="until"/> is met.</summary>
    public RunResult RunUntil(RunCondition until)
    {
        condition = until;
        pendingCause = DebugExit.ExitStatus is not null ? StopCause.DebugExit : null;
        matchedLine = null;
        hostTime.Start();
        try
        {
            StopCause cause = RunLoop();
            return new RunResult(cause, DebugExit.ExitStatus, matchedLine, Counters);
        }
        finally
        {
            hostTime.Stop();
            Serial.PumpInput();
        }
    }

    /// <summary>The counters now.</summary>
    public MachineCounters Counters => new()
    {
        InstructionsRetired = Processor.InstructionsRetired,
        HostSeconds = hostTime.Elapsed.TotalSeconds,
        VirtualTimeNs = Clock.NowNs,
        HaltedNs = Clock.HaltedNs,
        Halts = halts,
        Resets = resets,
        InterruptsDelivered = LocalApic.Acknowledged,
        PicInterruptsByIrq = [.. Pic.DeliveredByIrq],
        IoApicInterruptsByPin = [.. IoApic.DeliveredByPin],
        PicSpuriousInterrupts = Pic.Spurious,
        LapicTimerInterrupts = LocalApic.TimerInterrupts,
        PitInterrupts = Pit.Interrupts,
        RtcInterrupts = Rtc.Interrupts,
        KeyboardInterrupts = Keyboard.Interrupts,
        SerialBytesOut = Serial.BytesTransmitted,
        SerialBytesIn = Serial.BytesReceived,
        DiskRequests = Disks.Sum(d => d.Counters.Requests),
        DiskBytesRead = Disks.Sum(d => d.Counters.BytesRead),
        DiskBytesWritten = Disks.Sum(d => d.Counters.BytesWritten),
        DiskFlushes = Disks.Sum(d => d.Counters.Flushes),
        DiskDiscards = Disks.Sum(d => d.Counters.Discards),
        DiskWriteZeroes = Disks.Sum(d => d.Counters.WriteZeroes),
        DiskNotifications = Disks.Sum(d => d.Counters.Notifications),
        DiskInterrupts = Disks.Sum(d => d.Counters.Interrupts),
        UnclaimedPortReads = Ports.UnclaimedReads,
        UnclaimedPortWrites = Ports.UnclaimedWrites,
        UnmappedMemoryReads = Bus.UnmappedReads,
        UnmappedMemoryWrites = Bus.UnmappedWrites,
        TransitionsByKind = [.. Enum.GetValues<TransitionKind>().Select(k => new KeyValuePair<string, long>(k.ToString(), Processor.Counters.Transitions(k)))],
        Exceptions = Sum(Processor.Counters.ExceptionsByVector),
        BlocksDecoded = Processor.Counters.BlocksDecoded,
        BlocksInvalidated = Processor.Counters.BlocksInvalidated,
        Cr3Writes = Memory.Counters.Cr3WritesWithFlush + Memory.Counters.Cr3WritesWithoutFlush,
        TlbHits = Memory.Counters.TlbHits,
        TlbMisses = Memory.Counters.TlbMisses,
        PageWalks = Memory.Counters.PageWalks,
        PageFaults = Memory.Counters.PageFaults,
        TlbFullFlushes = Memory.Counters.FullFlushes + Memory.Counters.NonGlobalFlushes,
        TlbPcidFlushes = Memory.Counters.PcidFlushes,
        TlbPageFlushes = Memory.Counters.PageFlushes,
        JitBlocksCompiled = Processor.Jit.Counters.BlocksCompiled,
        JitBlocksOptimized = Processor.Jit.Counters.BlocksOptimized,
        JitRegions = $"{Processor.Jit.Counters.RegionsCompiled} ({Processor.Jit.Counters.RegionMembers} blocks)",
        JitChainedEntries = Processor.Jit.Counters.ChainedEntries,
        JitCompileMedianMicroseconds = Processor.Jit.Counters.MedianCompileMicroseconds,
        JitCompileP99Microseconds = Processor.Jit.Counters.P99CompileMicroseconds,
        JitCompileTotalMilliseconds = Processor.Jit.Counters.TotalCompileMilliseconds,
        JitCompileWaitMilliseconds = Processor.Jit.Counters.CompileWaitMilliseconds,
        JitInstructions = Processor.Jit.Counters.InstructionsInCompiledCode,
        JitInvalidations = Processor.Jit.Counters.Invalidations,
        JitPrefixEnds = JitCounterText.PrefixEnds(Processor.Jit.Counters.PrefixEnds()),
        JitExits = JitCounterText.Exits(Processor.Jit.Counters),
    };

    private static long Sum(ReadOnlySpan<long> values)
    {
        long total = 0;
        foreach (long v in values)
        {
            total += v;
        }

        return total;
    }

    public void Dispose()
    {
        (configuration.SerialOutput as IDisposable)?.Dispose();
        foreach (VirtioBlock disk in Disks)
        {
            disk.Dispose();
            disk.Image.Dispose();
        }
        Ram.Dispose();
    }

    /// <summary>
    /// Opens the images and places a virtio-blk function for each at slots 3, 4, ... with its INTA# routed as
    /// SeaBIOS routes it on QEMU's pc machine (PIRQ (slot - 1) mod 4, PIRQs A-D on IRQs 10, 10, 11, 11), so the
    /// guest finds the same interrupt line on both.
    /// </summary>
    private List<VirtioBlock> AttachDisks(IReadOnlyList<DriveConfiguration> drives)
    {
        ReadOnlySpan<byte> pirqIrqs = [10, 10, 11, 11];
        var disks = new List<VirtioBlock>();
        try
        {
            for (int i = 0; i < drives.Count; i++)
            {
                DiskImage image = DiskImage.Open(drives[i].Path, drives[i].ReadOnly);
                int slot = FirstDiskSlot + i;
                byte irq = pirqIrqs[(slot - 1) & 3];
                var bars = new VirtioBlockBars(
                    DiskIoBase + (uint)(i * VirtioBlock.LegacyBarSize), DiskMsixBase + (uint)(i * VirtioBlock.MsixBarSize), DiskMemoryBase + (uint)(i * VirtioBlock.ModernBarSize));
                var disk = new VirtioBlock(Bus, Clock, Irqs.Line(irq), irq, LocalApic, image, bars, $"emu-disk{i}", drives[i].IoWorker);
                disk.SetCommand(0x7); // I/O, memory and bus mastering on, as firmware leaves a disk
                Pci.Attach(slot, 0, disk);
                disks.Add(disk);
            }
        }
        catch (DiskImageException)
        {
            foreach (VirtioBlock d in disks)
            {
                d.Image.Dispose();
            }

            throw;
        }

        return disks;
    }

    private StopCause RunLoop()
    {
        long slice = Clock.Mode == ClockMode.Deterministic ? DeterministicSlice : RealtimeSlice;
        long wallLimitTicks = condition.WallTimeout is TimeSpan w ? Stopwatch.GetTimestamp() + (long)(w.TotalSeconds * Stopwatch.Frequency) : long.MaxValue;
        bool halted = false;
        while (true)
        {
            if (resetRequested)
            {
                resetRequested = false;
                if (configuration.NoReboot)
                {
                    return pendingCause ?? StopCause.Reset;
                }

                ResetNow();
                halted = false;
            }

            Clock.RunDue();
            Serial.PumpInput();
            Keyboard.PumpInput();
            if (CheckConditions(wallLimitTicks) is StopCause stop)
            {
                return stop;
            }

            if (Debugger is { WantsStop: true } debugger && !debugger.Serve(debugEvent: false))
            {
                return StopCause.StopRequested;
            }

            if (halted)
            {
                if (LocalApic.HasPendingInterrupt || Processor.NmiPending)
                {
                    halted = false;
                }
                else
                {
                    bool inputPossible = stdinOpen || Serial.HasQueuedInput || Keyboard.HasQueuedInput;
                    if (!Clock.WaitForNextEvent(inputPossible, TimeSpan.FromMilliseconds(50)))
                    {
                        return StopCause.Halted;
                    }

                    continue;
                }
            }

            long budget = Clock.InstructionsUntilNextEvent(slice);
            if (condition.MaxInstructions is long max)
            {
                budget = Math.Min(budget, Math.Max(1, max - Processor.InstructionsRetired));
            }

            if (condition.VirtualTimeout is TimeSpan vt)
            {
                long ns = (vt.Ticks * 100) - Clock.NowNs;
                budget = Math.Min(budget, Math.Max(1, ns / VirtualClock.NanosecondsPerInstruction));
            }

            StopReason reason;
            if (tracer is not null)
            {
                tracer.TraceNext(Processor);
                budget = 1;
            }

            inRun = true;
            long startInstructions = Processor.InstructionsRetired;
            long startNs = Clock.NowNs; // the wall clock in realtime mode, where the measurement is used
            try
            {
                reason = Processor.Run(budget);
                Clock.NoteRealtimeRun(Processor.InstructionsRetired - startInstructions, Clock.NowNs - startNs);
            }
            catch (NotImplementedException)
            {
                throw;
            }
            catch (Exception ex) when (ex is not OutOfMemoryException)
            {
                throw new EmulatorFaultException(
                    $"internal error at guest RIP 0x{Processor.State.Rip:X}: {ex.GetType().Name}: {ex.Message}", ex);
            }
            finally
            {
                inRun = false;
            }

            switch (reason)
            {
                case StopReason.TripleFault when configuration.NoReboot:
                    return StopCause.TripleFault;
                case StopReason.TripleFault:
                    ResetNow(); // a triple fault is a shutdown cycle, which the PC's chipset turns into RESET
                    halted = false;
                    break;
                case StopReason.Debug when Debugger?.Serve(debugEvent: true) != true:
                    return StopCause.StopRequested; // a breakpoint with no debugger to serve it ends the run
                case StopReason.Halted:
                    halts++;
                    if ((Processor.State.Rflags & (1UL << 9)) == 0)
                    {
                        // HLT with interrupts off: a pending maskable interrupt cannot wake it, only an NMI,
                        // INIT or reset (none of which a device here sends), so the guest halted for good.
                        return pendingCause ?? StopCause.Halted;
                    }

                    halted = true;
                    break;
            }
        }
    }

    private StopCause? CheckConditions(long wallLimitTicks)
    {
        if (pendingCause is StopCause c)
        {
            return c;
        }

        if (externalStop)
        {
            externalStop = false;
            return StopCause.StopRequested;
        }

        if (condition.MaxInstructions is long max && Processor.InstructionsRetired >= max)
        {
            return StopCause.InstructionLimit;
        }

        if (condition.VirtualTimeout is TimeSpan vt && Clock.NowNs >= vt.Ticks * 100)
        {
            return StopCause.Timeout;
        }

        if (Stopwatch.GetTimestamp() >= wallLimitTicks)
        {
            return StopCause.Timeout;
        }

        return null;
    }

    /// <summary>ISA IRQ 0 or 8 as the PIT or the RTC drives it: cut off while the HPET's legacy replacement claims it.</summary>
    private DelegateInterruptLine LegacyLine(int irq)
    {
        var line = Irqs.Line(irq);
        return new DelegateInterruptLine(level =>
        {
            if (!Hpet.LegacyRouting)
            {
                line.Set(level);
            }
        });
    }

    private void Stop(StopCause cause)
    {
        pendingCause ??= cause;
        Processor.RequestStop();
    }

    private void OnSerialLine(string line)
    {
        if (condition.SerialLine is not null && matchedLine is null && condition.SerialLine.IsMatch(line))
        {
            matchedLine = line;
            Stop(StopCause.SerialLineMatched);
        }
    }

    private void StartStdinReader()
    {
        stdinOpen = true;
        var thread = new Thread(() =>
        {
            try
            {
                // fd 0 itself: Console's stream would switch a terminal's settings around every read (and undo raw mode).
                using Stream stdin = new FileStream(new Microsoft.Win32.SafeHandles.SafeFileHandle(0, ownsHandle: false), FileAccess.Read, 1);
                var buffer = new byte[256];
                var filtered = new byte[256];
                IHostInputFilter? filter = configuration.StdinFilter;
                int n;
                while ((n = stdin.Read(buffer, 0, buffer.Length)) > 0)
                {
                    Serial.EnqueueInput(filter is null ? buffer.AsSpan(0, n) : filtered.AsSpan(0, filter.Filter(buffer.AsSpan(0, n), filtered)));
                }
            }
            catch (IOException)
            {
            }
            finally
            {
                stdinOpen = false;
                Clock.Wake();
            }
        })
        {
            IsBackground = true,
            Name = "emu stdin",
        };
        thread.Start();
    }
}
