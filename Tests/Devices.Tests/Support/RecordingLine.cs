using Mmu.Interrupts;

namespace Devices.Tests.Support;

/// <summary>An interrupt line that remembers its level and counts rising edges.</summary>
public sealed class RecordingLine : IInterruptLine
{
    public bool Level { get; private set; }

    public int RisingEdges { get; private set; }

    public void Set(bool level)
    {
        if (level && !Level)
        {
            RisingEdges++;
        }

        Level = level;
    }
}
