using Emulator.Display;
using Emulator.Display.Stats;
using Emulator.Display.Text;

namespace DisplayHost;

/// <summary>
/// Opens the emulator's window on a test pattern (or on the serial console text, with --console) and takes
/// commands on stdin, one per line: "mode W H" (a mode change), "serial TEXT" (console output),
/// "screenshot PATH", "close" (the machine stopped). Prints what happens on stdout: "PRESENTED WxH" after each
/// new frame reached the screen, "SCANCODES hex", "PAUSED yes|no", "RESET", "POWEROFF", "SHOT PATH",
/// "EXIT reason". Exit status: 0 when closed by "close", 4 when the user closed the window, 3 when no
/// window could open (with "NOWINDOW reason").
/// Usage: DisplayHost [--pattern W H] [--window W H] [--integer] [--overlay] [--console], or
/// DisplayHost --kernel FILE [--window W H] to run a guest kernel in the window (see <see cref="MachineHost"/>).
/// </summary>
internal static class Program
{
    public static int Main(string[] args)
    {
        int patternWidth = 320;
        int patternHeight = 200;
        int windowWidth = 640;
        int windowHeight = 400;
        bool integer = false;
        bool overlay = false;
        bool console = false;
        string? kernel = null;
        for (int i = 0; i < args.Length; i++)
        {
            switch (args[i])
            {
                case "--pattern":
                    patternWidth = int.Parse(args[++i]);
                    patternHeight = int.Parse(args[++i]);
                    break;
                case "--window":
                    windowWidth = int.Parse(args[++i]);
                    windowHeight = int.Parse(args[++i]);
                    break;
                case "--integer":
                    integer = true;
                    break;
                case "--overlay":
                    overlay = true;
                    break;
                case "--console":
                    console = true;
                    break;
                case "--kernel":
                    kernel = args[++i];
                    break;
                default:
                    Console.Error.WriteLine("DisplayHost: unknown argument " + args[i]);
                    return 2;
            }
        }

        if (kernel is not null)
        {
            return MachineHost.Run(kernel, windowWidth, windowHeight);
        }

        var pattern = new TestPatternSource(console ? 0 : patternWidth, console ? 0 : patternHeight);
        var serial = new SerialConsoleScreen();
        var frames = new ConsoleUntilGraphicsSource(serial, pattern);
        var machine = new ScriptedMachine();
        long started = Environment.TickCount64;
        CounterSnapshot Counters()
        {
            // Made-up but steadily growing counters, so the overlay has numbers to show.
            long ms = Environment.TickCount64 - started;
            return new CounterSnapshot(TimeSpan.FromMilliseconds(ms), ms * 50_000, ms * 40_000, ms, ms * 2, ms / 2);
        }

        var options = new WindowOptions("emu display test", windowWidth, windowHeight, integer, overlay);
        WindowStartResult start = WindowFrontEnd.TryStart(options, frames, new PrintingKeyboard(), machine, Counters);
        if (start.Window is not { } window)
        {
            Console.WriteLine("NOWINDOW " + start.FailureReason);
            return 3;
        }

        using (window)
        {
            window.FramePresented += info => Console.WriteLine($"PRESENTED {info.Width}x{info.Height}");
            window.ScreenshotSaved += path => Console.WriteLine("SHOT " + path);
            var commands = new Thread(() => ReadCommands(window, pattern, serial)) { IsBackground = true, Name = "commands" };
            commands.Start();
            WindowExit exit = window.Run();
            Console.WriteLine("EXIT " + exit);
            return exit == WindowExit.MachineStopped ? 0 : 4;
        }
    }

    private static void ReadCommands(WindowFrontEnd window, TestPatternSource pattern, SerialConsoleScreen serial)
    {
        while (Console.ReadLine() is { } line)
        {
            string[] words = line.Split(' ', 2);
            switch (words[0])
            {
                case "mode":
                    string[] size = words[1].Split(' ');
                    pattern.SetMode(int.Parse(size[0]), int.Parse(size[1]));
                    break;
                case "serial":
                    serial.Write(System.Text.Encoding.Latin1.GetBytes(words[1].Replace("\\n", "\n")));
                    break;
                case "screenshot":
                    window.RequestScreenshot(words[1]);
                    break;
                case "close":
                    window.RequestClose();
                    return;
            }
        }

        // Our parent went away: behave as a machine that stopped.
        window.RequestClose();
    }
}
