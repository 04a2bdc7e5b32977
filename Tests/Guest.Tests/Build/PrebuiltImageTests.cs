using TestSupport;

namespace Guest.Tests.Build;

/// <summary>Guest/prebuilt/ must be built from the sources in the tree (run `make -C Guest prebuilt`).</summary>
public class PrebuiltImageTests
{
    [Fact]
    public void PrebuiltImagesMatchTheSources()
    {
        string recorded = File.ReadAllText(Path.Combine(RepoPaths.Guest, "prebuilt", "SOURCES.sha256")).Trim();
        string actual = GuestSources.Hash(RepoPaths.Guest);
        Assert.True(recorded == actual, $"Guest/prebuilt/ is stale: built from sources {recorded}, tree is {actual}; run `make -C Guest prebuilt` and commit it");
    }

    [Theory]
    [InlineData("mica.elf")]
    [InlineData("initfs.tar")]
    [InlineData("tests/hello.elf")]
    public void PrebuiltImageExists(string image)
    {
        Assert.True(File.Exists(Path.Combine(RepoPaths.Guest, "prebuilt", image)), image + " is missing from Guest/prebuilt/");
    }

    [Fact]
    public void HashScriptAgreesWithTheTestHelper()
    {
        ExternalTool.Require("sha256sum", "the guest source hash script uses it");
        ProcessResult r = ExternalTool.Run("/bin/sh", [Path.Combine(RepoPaths.Guest, "tools", "source-hash.sh")], TimeSpan.FromSeconds(30));
        Assert.Equal(0, r.ExitCode);
        Assert.Equal(GuestSources.Hash(RepoPaths.Guest), r.StandardOutput.Trim());
    }
}
