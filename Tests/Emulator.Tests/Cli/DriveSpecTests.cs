using Emulator.Cli;
using Emulator.Machines;

namespace Emulator.Tests.Cli;

public class DriveSpecTests
{
    [Theory]
    [InlineData("file=a.img,format=raw,if=virtio", "a.img", false)]
    [InlineData("if=virtio,file=b.img,readonly=on", "b.img", true)]
    [InlineData("file=c,,d.img,format=raw,if=virtio,readonly=off", "c,d.img", false)]
    public void ParsesQemusSpelling(string spec, string path, bool readOnly)
    {
        Assert.True(DriveSpec.TryParse(spec, out DriveConfiguration d, out string error), error);
        Assert.Equal(new DriveConfiguration(path, readOnly), d);
    }

    [Theory]
    [InlineData("file=a.img,aio=threads", true)]
    [InlineData("file=a.img,aio=inline", false)]
    [InlineData("file=a.img", false)]
    public void AioChoosesTheThreadThatDoesTheImageIo(string spec, bool ioWorker)
    {
        Assert.True(DriveSpec.TryParse(spec, out DriveConfiguration d, out string error), error);
        Assert.Equal(ioWorker, d.IoWorker);
    }

    [Theory]
    [InlineData("file=a.img,aio=native", "aio=native")]
    [InlineData("format=raw,if=virtio", "file=PATH")]
    [InlineData("file=a.img,format=qcow2", "raw")]
    [InlineData("file=a.img,if=ide", "virtio")]
    [InlineData("file=a.img,cache=none", "cache=none")]
    public void RefusesWhatItCannotServeInOneLine(string spec, string mentioned)
    {
        Assert.False(DriveSpec.TryParse(spec, out _, out string error));
        Assert.Contains(mentioned, error, StringComparison.Ordinal);
        Assert.DoesNotContain('\n', error);
    }
}
