using System.Diagnostics;
using System.Runtime.InteropServices;
using Emulator.Display.Glfw;
using Emulator.Display.Imaging;
using Emulator.Display.Keyboard;
using Emulator.Display.Layout;
using Emulator.Display.Rendering;
using Emulator.Display.Stats;
using Silk.NET.OpenGL;

namespace Emulator.Display;

/// <summary>
/// The desktop window: a GLFW window with an OpenGL 3.3 core context that shows an <see cref="IFrameSource"/>,
/// sends keys to an <see cref="IKeyboardSink"/> as PS/2 scancodes, and shows the machine's counters in its
/// title bar and an overlay. The machine runs on its own thread; the window only reads the frame source
/// (copying pixels only when its version changed) and never waits for the machine.
/// <para>
/// Use: <see cref="TryStart"/> on the thread that will run the window (the process's main thread), start the
/// machine on another thread, then <see cref="Run"/>. When the machine stops by itself it calls
/// <see cref="RequestClose"/>; when the user closes the window, <see cref="Run"/> calls
/// <see cref="IMachineControl.PowerOff"/> and returns <see cref="WindowExit.ClosedByUser"/>.
/// </para>
/// One window per process: GLFW's callbacks find it through a static field.
/// </summary>
public sealed unsafe class WindowFrontEnd : IDisposable
{
    private static WindowFrontEnd? active;

    private readonly nint window;
    private readonly GL gl;
    private readonly FrameRenderer renderer;
    private readonly WindowOptions options;
    private readonly IFrameSource frames;
    private readonly KeyboardRouter keyboard;
    private readonly IMachineControl machine;
    private readonly Func<CounterSnapshot>? counters;
    private readonly Lock requests = new();
    private readonly List<string> screenshotRequests = [];
    private uint[] pixels = [];
    private volatile bool closeRequested;
    private bool integerScaling;
    private bool overlayShown;
    private bool redraw = true;
    private long uploadedVersion = long.MinValue;
    private long presentedVersion = long.MinValue;
    private CounterSnapshot? lastSnapshot;
    private CounterRates rates;
    private string titleStatus = string.Empty;
    private Exception? callbackFailure;
    private bool disposed;

    private WindowFrontEnd(nint window, GL gl, WindowOptions options, IFrameSource frames, IKeyboardSink keyboard, IMachineControl machine, Func<CounterSnapshot>? counters)
    {
        this.window = window;
        this.gl = gl;
        this.options = options;
        this.frames = frames;
        this.keyboard = new KeyboardRouter(keyboard);
        this.machine = machine;
        this.counters = counters;
        integerScaling = options.IntegerScaling;
        overlayShown = options.ShowOverlay;
        renderer = new FrameRenderer(gl);
    }

    /// <summary>
    /// Raised on the window's thread after a newly uploaded frame was drawn and swapped to the screen, with the
    /// frame's size and version (for tests and for <c>--screenshot</c> at a guest's signal).
    /// </summary>
    public event Action<FrameInfo>? FramePresented;

    /// <summary>Raised on the window's thread with the path of each PNG saved (host key + S, <see cref="RequestScreenshot"/>).</summary>
    public event Action<string>? ScreenshotSaved;

    /// <summary>Frames drawn so far (for tests and the overlay).</summary>
    public long FramesDrawn { get; private set; }

    /// <summary>Frame uploads so far: a frame source whose version does not change is uploaded once.</summary>
    public long FramesUploaded { get; private set; }

    /// <summary>
    /// Opens the window, or says in one line why it cannot (no DISPLAY, no libglfw3, GLFW or OpenGL 3.3 refused).
    /// Call on the thread that will call <see cref="Run"/>.
    /// </summary>
    public static WindowStartResult TryStart(WindowOptions options, IFrameSource frames, IKeyboardSink keyboard, IMachineControl machine, Func<CounterSnapshot>? counters = null)
    {
        if (active is not null)
        {
            return new WindowStartResult(null, "a window is already open in this process");
        }

        string? missing = DisplayAvailability.MissingReason();
        if (missing is not null)
        {
            return new WindowStartResult(null, missing);
        }

        try
        {
            if (GlfwNative.Init() == GlfwNative.False)
            {
                return new WindowStartResult(null, "GLFW could not start: " + (GlfwNative.LastError() ?? "no reason given"));
            }
        }
        catch (Exception e) when (e is DllNotFoundException or EntryPointNotFoundException)
        {
            return new WindowStartResult(null, $"{GlfwNative.Library} (GLFW 3.3 or later) could not be loaded: install libglfw3");
        }

        GlfwNative.WindowHint(GlfwNative.ContextVersionMajor, 3);
        GlfwNative.WindowHint(GlfwNative.ContextVersionMinor, 3);
        GlfwNative.WindowHint(GlfwNative.OpenGlProfile, GlfwNative.OpenGlCoreProfile);
        GlfwNative.WindowHint(GlfwNative.OpenGlForwardCompat, GlfwNative.True);
        GlfwNative.WindowHint(GlfwNative.Resizable, GlfwNative.True);
        nint window = GlfwNative.CreateWindow(options.Width, options.Height, options.Title, 0, 0);
        if (window == 0)
        {
            string reason = "could not open an OpenGL 3.3 window: " + (GlfwNative.LastError() ?? "no reason given");
            GlfwNative.Terminate();
            return new WindowStartResult(null, reason);
        }

        try
        {
            GlfwNative.MakeContextCurrent(window);
            GlfwNative.SwapInterval(1);
            GL gl = GL.GetApi(GlfwNative.GetProcAddress);
            var front = new WindowFrontEnd(window, gl, options, frames, keyboard, machine, counters);
            active = front;
            GlfwNative.SetKeyCallback(window, &OnKey);
            GlfwNative.SetFramebufferSizeCallback(window, &OnFramebufferSize);
            GlfwNative.SetWindowFocusCallback(window, &OnFocus);
            return new WindowStartResult(front, null);
        }
        catch (Exception e)
        {
            GlfwNative.DestroyWindow(window);
            GlfwNative.Terminate();
            return new WindowStartResult(null, "could not set up OpenGL: " + e.Message);
        }
    }

    /// <summary>Asks <see cref="Run"/> to return (the machine stopped). Any thread.</summary>
    public void RequestClose()
    {
        closeRequested = true;
        WakeUp();
    }

    /// <summary>Saves the next frame the window shows to <paramref name="path"/> as a PNG. Any thread.</summary>
    public void RequestScreenshot(string path)
    {
        lock (requests)
        {
            screenshotRequests.Add(path);
        }

        WakeUp();
    }

    /// <summary>Shows the window until it is closed or <see cref="RequestClose"/> is called.</summary>
    public WindowExit Run()
    {
        ObjectDisposedException.ThrowIf(disposed, this);
        var clock = Stopwatch.StartNew();
        TimeSpan nextStats = TimeSpan.Zero;
        while (!closeRequested && GlfwNative.WindowShouldClose(window) == GlfwNative.False)
        {
            // Wake at about 60 Hz to look for new frames; input wakes us at once.
            GlfwNative.WaitEventsTimeout(1.0 / 60);
            if (callbackFailure is not null)
            {
                ExceptionDispatchInfoThrow(callbackFailure);
            }

            if (clock.Elapsed >= nextStats)
            {
                UpdateCounters();

                // Redraw once a second even when nothing changed, in case the window system lost our pixels.
                redraw = true;
                nextStats = clock.Elapsed + TimeSpan.FromSeconds(1);
            }

            UploadFrameIfChanged();
            SaveRequestedScreenshots();
            if (redraw)
            {
                Draw();
            }
        }

        if (closeRequested)
        {
            return WindowExit.MachineStopped;
        }

        machine.PowerOff();
        return WindowExit.ClosedByUser;
    }

    public void Dispose()
    {
        if (disposed)
        {
            return;
        }

        disposed = true;
        renderer.Dispose();
        gl.Dispose();
        GlfwNative.DestroyWindow(window);
        GlfwNative.Terminate();
        active = null;
    }

    [UnmanagedCallersOnly(CallConvs = [typeof(System.Runtime.CompilerServices.CallConvCdecl)])]
    private static void OnKey(nint window, int key, int scancode, int action, int mods)
    {
        // An exception must not unwind into GLFW's C frames: keep it for Run to rethrow.
        WindowFrontEnd? front = active;
        try
        {
            front?.HandleKey((Key)key, (KeyAction)action);
        }
        catch (Exception e)
        {
            front?.callbackFailure ??= e;
        }
    }

    [UnmanagedCallersOnly(CallConvs = [typeof(System.Runtime.CompilerServices.CallConvCdecl)])]
    private static void OnFramebufferSize(nint window, int width, int height)
    {
        if (active is not null)
        {
            active.redraw = true;
        }
    }

    [UnmanagedCallersOnly(CallConvs = [typeof(System.Runtime.CompilerServices.CallConvCdecl)])]
    private static void OnFocus(nint window, int focused)
    {
        WindowFrontEnd? front = active;
        try
        {
            if (focused == GlfwNative.False)
            {
                front?.keyboard.ReleaseAll();
            }
        }
        catch (Exception e)
        {
            front?.callbackFailure ??= e;
        }
    }

    private static void ExceptionDispatchInfoThrow(Exception e) => System.Runtime.ExceptionServices.ExceptionDispatchInfo.Capture(e).Throw();

    private static void WakeUp()
    {
        try
        {
            GlfwNative.PostEmptyEvent();
        }
        catch (DllNotFoundException)
        {
            // No GLFW, no window to wake.
        }
    }

    private void HandleKey(Key key, KeyAction action)
    {
        switch (keyboard.Handle(key, action))
        {
            case HostShortcut.TogglePause:
                machine.SetPaused(!machine.IsPaused);
                UpdateTitle();
                break;
            case HostShortcut.Reset:
                machine.Reset();
                break;
            case HostShortcut.Screenshot:
                string name = $"emu-{DateTime.Now:yyyyMMdd-HHmmss}.png";
                RequestScreenshot(Path.Combine(options.ScreenshotDirectory ?? Environment.CurrentDirectory, name));
                break;
            case HostShortcut.ToggleOverlay:
                overlayShown = !overlayShown;
                redraw = true;
                break;
            case HostShortcut.ToggleIntegerScaling:
                integerScaling = !integerScaling;
                redraw = true;
                break;
            case HostShortcut.PowerOff:
                GlfwNative.SetWindowShouldClose(window, GlfwNative.True);
                break;
        }
    }

    private void UploadFrameIfChanged()
    {
        FrameInfo info = frames.Info;
        if (info.Version == uploadedVersion || !info.HasPixels)
        {
            return;
        }

        if (pixels.Length < info.PixelCount)
        {
            pixels = new uint[info.PixelCount];
        }

        if (frames.TryCopyTo(pixels, out FrameInfo copied))
        {
            renderer.UploadFrame(pixels.AsSpan(0, copied.PixelCount), copied.Width, copied.Height);
            uploadedVersion = copied.Version;
            FramesUploaded++;
            redraw = true;
        }
    }

    private void SaveRequestedScreenshots()
    {
        string[] paths;
        lock (requests)
        {
            if (screenshotRequests.Count == 0)
            {
                return;
            }

            paths = [.. screenshotRequests];
            screenshotRequests.Clear();
        }

        (int width, int height) = renderer.FrameSize;
        foreach (string path in paths)
        {
            // The pixels last uploaded are exactly what the window shows; before the first frame there is nothing to save.
            if (width > 0)
            {
                PngWriter.Save(path, width, height, pixels.AsSpan(0, width * height));
                ScreenshotSaved?.Invoke(path);
            }
        }
    }

    private void UpdateCounters()
    {
        if (counters is null)
        {
            UpdateTitle();
            return;
        }

        CounterSnapshot now = counters();
        if (lastSnapshot is { } before)
        {
            rates = CounterRates.Between(before, now);
            titleStatus = rates.Describe();
            (uint[] overlay, int width, int height) = OverlayPanel.Render(rates.DescribeLines());
            renderer.UploadOverlay(overlay, width, height);
            redraw |= overlayShown;
        }

        lastSnapshot = now;
        UpdateTitle();
    }

    private void UpdateTitle()
    {
        string title = options.Title;
        if (machine.IsPaused)
        {
            title += " [paused]";
        }

        if (titleStatus.Length > 0)
        {
            title += " - " + titleStatus;
        }

        GlfwNative.SetWindowTitle(window, title);
    }

    private void Draw()
    {
        GlfwNative.GetFramebufferSize(window, out int width, out int height);
        if (width <= 0 || height <= 0)
        {
            return;
        }

        (int frameWidth, int frameHeight) = renderer.FrameSize;
        Viewport viewport = ViewportLayout.Fit(width, height, frameWidth, frameHeight, integerScaling);
        renderer.Draw(width, height, viewport, overlayShown, overlayScale: 1);
        GlfwNative.SwapBuffers(window);
        FramesDrawn++;
        redraw = false;
        if (presentedVersion != uploadedVersion)
        {
            presentedVersion = uploadedVersion;
            FramePresented?.Invoke(new FrameInfo(frameWidth, frameHeight, uploadedVersion));
        }
    }
}
