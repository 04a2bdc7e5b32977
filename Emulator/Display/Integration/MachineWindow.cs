using Emulator.Display.Text;
using Emulator.Machines;

namespace Emulator.Display.Integration;

/// <summary>
/// Runs a <see cref="Machine"/> in the window: the machine on a thread of its own, the window on the calling
/// thread. Closing the window (or host key + Q) stops the machine, and the outcome says so; the guest stopping
/// by itself closes the window. Host key + P pauses by stopping the run and resuming it later.
/// <para>
/// The CLI's use (<c>emu run --display window</c>):
/// <code>
/// var console = new SerialConsoleScreen();
/// config = config with { SerialOutput = new TeeSerialSink(serialSink, new SerialConsoleSink(console)) };
/// using var machine = new Machine(config);
/// var opened = MachineWindow.TryOpen(machine, console, new WindowOptions("emu - Mica"));
/// if (opened.Window is null) { /* --display window: print opened.FailureReason, exit non-zero;
///                                 default: print a one-line notice, run headless */ }
/// MachineWindowOutcome outcome = opened.Window.Run(until);   // blocks until the window closes
/// </code>
/// </para>
/// </summary>
public sealed class MachineWindow : IMachineControl, IDisposable
{
    private readonly Machine machine;
    private readonly WindowFrontEnd window;
    private readonly ManualResetEventSlim resumed = new(true);
    private volatile bool paused;
    private volatile bool poweredOff;

    private MachineWindow(Machine machine, WindowFrontEnd window)
    {
        this.machine = machine;
        this.window = window;
    }

    /// <summary>The window, for screenshots (<see cref="WindowFrontEnd.RequestScreenshot"/>) and its events.</summary>
    public WindowFrontEnd Window => window;

    public bool IsPaused => paused;

    /// <summary>
    /// Opens a window on <paramref name="machine"/>'s Bochs display (the serial <paramref name="console"/> until
    /// the guest sets a mode) and keyboard, or returns the one-line reason it cannot.
    /// </summary>
    public static (MachineWindow? Window, string? FailureReason) TryOpen(Machine machine, SerialConsoleScreen console, WindowOptions options)
    {
        var frames = new ConsoleUntilGraphicsSource(console, new BochsDisplayFrameSource(machine.Display));
        var control = new DeferredControl();
        WindowStartResult start = WindowFrontEnd.TryStart(options, frames, new I8042KeyboardSink(machine.Keyboard), control, MachineCounterSource.For(machine));
        if (start.Window is null)
        {
            return (null, start.FailureReason);
        }

        var opened = new MachineWindow(machine, start.Window);
        control.Target = opened;
        return (opened, null);
    }

    /// <summary>Raised on the machine's thread when the run ended (before the window closes, if it does).</summary>
    public event Action<RunResult>? MachineStopped;

    /// <summary>
    /// Runs the machine until <paramref name="until"/>, the guest stops, or the window is closed. With
    /// <paramref name="keepOpenAfterGuestStops"/> the window stays, showing the last frame, until the user closes it.
    /// </summary>
    public MachineWindowOutcome Run(RunCondition until, bool keepOpenAfterGuestStops = false)
    {
        RunResult? result = null;
        Exception? failure = null;
        var runner = new Thread(() =>
        {
            try
            {
                result = RunMachine(until);
                MachineStopped?.Invoke(result);
            }
            catch (Exception e)
            {
                failure = e;
            }
            finally
            {
                if (!keepOpenAfterGuestStops || failure is not null)
                {
                    window.RequestClose();
                }
            }
        })
        {
            Name = "emu machine",
            IsBackground = true,
        };
        runner.Start();
        WindowExit exit = window.Run();
        if (exit == WindowExit.ClosedByUser)
        {
            PowerOff();
        }

        runner.Join();
        if (failure is not null)
        {
            System.Runtime.ExceptionServices.ExceptionDispatchInfo.Capture(failure).Throw();
        }

        // Closing the window counts as a power-off only if the guest was still running then.
        return new MachineWindowOutcome(result!, exit == WindowExit.ClosedByUser && result!.Cause == StopCause.StopRequested);
    }

    public void SetPaused(bool pause)
    {
        paused = pause;
        if (pause)
        {
            resumed.Reset();
            machine.RequestStop();
        }
        else
        {
            resumed.Set();
        }
    }

    /// <summary>Host key + R: the machine's RESET line (under -no-reboot the run ends instead, as QEMU's system_reset does there).</summary>
    public void Reset() => machine.RequestReset();

    public void PowerOff()
    {
        poweredOff = true;
        resumed.Set();
        machine.RequestStop();
    }

    public void Dispose()
    {
        window.Dispose();
        resumed.Dispose();
    }

    private RunResult RunMachine(RunCondition until)
    {
        while (true)
        {
            RunResult r = machine.RunUntil(until);
            if (r.Cause != StopCause.StopRequested || poweredOff)
            {
                return r;
            }

            // Stopped for a pause: wait for resume (or power-off), then carry on where the guest was.
            resumed.Wait();
            if (poweredOff)
            {
                return r;
            }
        }
    }

    /// <summary>The window needs its control before the MachineWindow exists; this forwards to it.</summary>
    private sealed class DeferredControl : IMachineControl
    {
        public MachineWindow? Target { get; set; }

        public bool IsPaused => Target?.IsPaused ?? false;

        public void SetPaused(bool paused) => Target?.SetPaused(paused);

        public void Reset() => Target?.Reset();

        public void PowerOff() => Target?.PowerOff();
    }
}
