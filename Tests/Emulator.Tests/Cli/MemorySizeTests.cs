using Emulator.Cli;

namespace Emulator.Tests.Cli;

public class MemorySizeTests
{
    [Theory]
    [InlineData("256M", 256UL << 20)]
    [InlineData("1G", 1UL << 30)]
    [InlineData("512K", 512UL << 10)]
    [InlineData("2GiB", 2UL << 30)]
    [InlineData("64mb", 64UL << 20)]
    [InlineData("16777216B", 16UL << 20)]
    [InlineData("256", 256UL << 20)] // a plain number is MiB, as QEMU's -m reads it
    public void AcceptsQemuStyleSizes(string text, ulong bytes)
    {
        Assert.True(MemorySize.TryParse(text, out ulong parsed, out _));
        Assert.Equal(bytes, parsed);
    }

    [Theory]
    [InlineData("")]
    [InlineData("abc")]
    [InlineData("12Q")]
    [InlineData("-5M")]
    [InlineData("0")]
    [InlineData("1.5G")]
    public void RejectsMalformedSizes(string text)
    {
        Assert.False(MemorySize.TryParse(text, out _, out string error));
        Assert.Contains("memory size", error);
    }
}
