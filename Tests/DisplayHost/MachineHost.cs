using Emulator.Display;
using Emulator.Display.Integration;
using Emulator.Display.Text;
using Emulator.Machines;

namespace DisplayHost;

/// <summary>
/// Runs a real guest kernel in the window through <see cref="MachineWindow"/>, as emu's CLI does, keeping the
/// window open after the guest stops. Prints "STOPPED cause", "PRESENTED WxH" and "SHOT PATH"; takes
/// "screenshot PATH" and "close" on stdin. Exit status 0 when closed by "close", 4 when the user closed it.
/// </summary>
internal static class MachineHost
{
    public static int Run(string kernel, int windowWidth, int windowHeight)
    {
        var console = new SerialConsoleScreen();
        var config = new MachineConfiguration
        {
            KernelPath = kernel,
            SerialOutput = new SerialConsoleSink(console),
        };
        using var machine = new Machine(config);
        (MachineWindow? opened, string? reason) = MachineWindow.TryOpen(machine, console, new WindowOptions("emu - " + Path.GetFileName(kernel), windowWidth, windowHeight));
        if (opened is null)
        {
            Console.WriteLine("NOWINDOW " + reason);
            return 3;
        }

        using (opened)
        {
            opened.Window.FramePresented += info => Console.WriteLine($"PRESENTED {info.Width}x{info.Height}");
            opened.Window.ScreenshotSaved += path => Console.WriteLine("SHOT " + path);
            opened.MachineStopped += result => Console.WriteLine("STOPPED " + result.Cause);
            var commands = new Thread(() =>
            {
                while (Console.ReadLine() is { } line)
                {
                    if (line.StartsWith("screenshot ", StringComparison.Ordinal))
                    {
                        opened.Window.RequestScreenshot(line["screenshot ".Length..]);
                    }
                    else if (line == "close")
                    {
                        break;
                    }
                }

                opened.Window.RequestClose();
            })
            { IsBackground = true };
            commands.Start();
            MachineWindowOutcome outcome = opened.Run(RunCondition.GuestStops, keepOpenAfterGuestStops: true);
            Console.WriteLine("EXIT " + (outcome.ClosedByUser ? "ClosedByUser" : "MachineStopped") + " " + outcome.Result.Cause);
            return outcome.ClosedByUser ? 4 : 0;
        }
    }
}
