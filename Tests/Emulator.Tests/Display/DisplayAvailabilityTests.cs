using Emulator.Display;

namespace Emulator.Tests.Display;

public class DisplayAvailabilityTests
{
    [Fact]
    public void EitherDisplayVariableIsEnough()
    {
        Assert.Null(DisplayAvailability.MissingReason(n => n == "DISPLAY" ? ":0" : null));
        Assert.Null(DisplayAvailability.MissingReason(n => n == "WAYLAND_DISPLAY" ? "wayland-0" : null));
        Assert.Contains("no display", DisplayAvailability.MissingReason(_ => null));
        Assert.NotNull(DisplayAvailability.MissingReason(_ => string.Empty));
    }
}
