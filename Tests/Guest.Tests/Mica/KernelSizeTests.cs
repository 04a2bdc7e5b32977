using TestSupport;

namespace Guest.Tests.Mica;

/// <summary>The kernel stays small: at most 5,000 non-blank, non-comment lines of C and assembly.</summary>
public class KernelSizeTests
{
    [Fact]
    public void KernelIsAtMostFiveThousandLines()
    {
        ProcessResult r = ExternalTool.Run("/bin/sh", [Path.Combine(RepoPaths.Guest, "tools", "kloc.sh"), "kernel"], TimeSpan.FromSeconds(30));
        Assert.Equal(0, r.ExitCode);
        int lines = int.Parse(r.StandardOutput.Trim(), System.Globalization.CultureInfo.InvariantCulture);
        Assert.InRange(lines, 500, 5000);
    }
}
