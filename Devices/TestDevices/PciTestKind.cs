namespace Devices.TestDevices;

/// <summary>The three tests of each <see cref="PciTestDevice"/> BAR, in their number order.</summary>
public enum PciTestKind
{
    /// <summary>Counts the writes of the matching byte.</summary>
    NoEventNotifier,

    /// <summary>Any byte written at the offset goes to an event notifier instead of the device.</summary>
    WildcardEventNotifier,

    /// <summary>The matching byte goes to an event notifier; other bytes reach the device, which ignores them.</summary>
    DataMatchEventNotifier,
}
