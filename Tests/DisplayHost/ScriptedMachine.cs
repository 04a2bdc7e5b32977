using Emulator.Display;

namespace DisplayHost;

/// <summary>Stands in for the machine: reports every request the window makes on stdout.</summary>
internal sealed class ScriptedMachine : IMachineControl
{
    public bool IsPaused { get; private set; }

    public void SetPaused(bool paused)
    {
        IsPaused = paused;
        Console.WriteLine("PAUSED " + (paused ? "yes" : "no"));
    }

    public void Reset() => Console.WriteLine("RESET");

    public void PowerOff() => Console.WriteLine("POWEROFF");
}
