using Devices.Serial;
using Emulator.Display.Imaging;
using Emulator.Display.Text;
using Emulator.Machines;

namespace Emulator.Display.Integration;

/// <summary>
/// The display side of one <c>emu run</c>: the serial console screen (what the window shows before the guest
/// sets a graphics mode), the window when there is one, and <c>--screenshot FILE</c>, taken the first time
/// COM1's output contains the <c>--screenshot-at</c> text or else when the run ends. A screenshot is the
/// guest's screen at its own resolution (the framebuffer, or the console text before a graphics mode),
/// whether or not a window shows it, saved on the machine's thread at that moment.
/// <para>
/// Order of use: <see cref="SerialSink"/> into the machine's configuration, <see cref="Attach"/> once the
/// machine exists, optionally <see cref="TryOpenWindow"/> (on the process's main thread), <see cref="Run"/>,
/// then <see cref="Finish"/>.
/// </para>
/// </summary>
public sealed class MachineDisplay : IDisposable
{
    private readonly SerialConsoleScreen console = new();
    private readonly string? screenshotPath;
    private readonly SerialTextWatch? watch;
    private readonly List<string> notices = [];
    private Machine? machine;
    private IFrameSource? frames;
    private MachineWindow? window;

    /// <param name="screenshotPath">Where to save the screenshot, or null for none.</param>
    /// <param name="screenshotAt">Take it when COM1's output contains this text (null: when the run ends).</param>
    public MachineDisplay(string? screenshotPath, string? screenshotAt)
    {
        this.screenshotPath = screenshotPath;
        if (screenshotPath is not null && !string.IsNullOrEmpty(screenshotAt))
        {
            watch = new SerialTextWatch(screenshotAt, SaveScreenshot);
        }
    }

    /// <summary>True when the screenshot could not be written.</summary>
    public bool WriteFailed { get; private set; }

    /// <summary>True when a window opened.</summary>
    public bool HasWindow => window is not null;

    /// <summary>The serial console screen fed from COM1.</summary>
    public SerialConsoleScreen Console => console;

    /// <summary>COM1's sink for the machine's configuration: <paramref name="destination"/> plus the console screen and the watch.</summary>
    public ISerialSink SerialSink(ISerialSink? destination) => new DisplaySerialSink(destination, console, watch);

    /// <summary>Connects the machine built with <see cref="SerialSink"/>.</summary>
    public void Attach(Machine machine)
    {
        this.machine = machine;
        frames = new ConsoleUntilGraphicsSource(console, new BochsDisplayFrameSource(machine.Display));
    }

    /// <summary>Opens the window on the attached machine; null when it opened, else the one-line reason it cannot.</summary>
    public string? TryOpenWindow(WindowOptions options)
    {
        Machine m = machine ?? throw new InvalidOperationException("Attach the machine first");
        (MachineWindow? opened, string? reason) = MachineWindow.TryOpen(m, console, options);
        window = opened;
        return reason;
    }

    /// <summary>
    /// Runs the machine until <paramref name="until"/> or until it stops: in the window (the machine on a thread
    /// of its own, the window on this one) when there is one, else on this thread.
    /// </summary>
    public MachineWindowOutcome Run(RunCondition until)
    {
        Machine m = machine ?? throw new InvalidOperationException("Attach the machine first");
        return window is null ? new MachineWindowOutcome(m.RunUntil(until), ClosedByUser: false) : window.Run(until);
    }

    /// <summary>
    /// After the run: takes the screenshot that was due at the end, and returns what the user should be told
    /// (a screenshot that could not be written, or a --screenshot-at text that never came), one line each.
    /// </summary>
    public IReadOnlyList<string> Finish()
    {
        if (screenshotPath is not null)
        {
            if (watch is null)
            {
                SaveScreenshot();
            }
            else if (!watch.Seen)
            {
                notices.Add($"--screenshot-at: COM1 never printed the text; {screenshotPath} was not written");
            }
        }

        return notices;
    }

    public void Dispose() => window?.Dispose();

    private void SaveScreenshot()
    {
        if (frames is null || screenshotPath is null)
        {
            return;
        }

        try
        {
            if (!FrameScreenshot.Save(frames, screenshotPath))
            {
                notices.Add($"--screenshot: the guest showed nothing; {screenshotPath} was not written");
            }
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            notices.Add($"--screenshot: cannot write {screenshotPath}: {e.Message}");
            WriteFailed = true;
        }
    }
}
