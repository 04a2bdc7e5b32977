namespace Devices.Interrupts;

/// <summary>An ExtINT source (the 8259 pair) seen by the local APIC's LINT0: it supplies the vector itself.</summary>
public interface IExternalInterruptSource
{
    bool HasInterrupt { get; }

    int AcknowledgeInterrupt();
}
