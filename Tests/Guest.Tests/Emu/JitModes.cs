using Cpu.Translation;

namespace Guest.Tests.Emu;

/// <summary>
/// The JIT modes every guest test on emu runs under: the interpreter alone, and every block compiled on
/// its first run, so one `dotnet test` checks both tiers against the same expectations.
/// </summary>
public static class JitModes
{
    public static TheoryData<JitMode> Both => new([JitMode.Off, JitMode.Always]);

    /// <summary>Each of <paramref name="cases"/> under each mode of <see cref="Both"/>.</summary>
    public static TheoryData<string, JitMode> Cross(params string[] cases)
    {
        var data = new TheoryData<string, JitMode>();
        foreach (string c in cases)
        {
            data.Add(c, JitMode.Off);
            data.Add(c, JitMode.Always);
        }

        return data;
    }
}
