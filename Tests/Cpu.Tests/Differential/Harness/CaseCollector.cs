namespace Cpu.Tests.Differential.Harness;

/// <summary>
/// While a collection is open on the current flow, <see cref="DifferentialRunner.Check"/> hands its cases
/// here instead of running them: the coverage test gathers exactly what every differential test generates.
/// </summary>
public static class CaseCollector
{
    private static readonly AsyncLocal<List<DiffCase>?> Sink = new();

    /// <summary>The open collection, or null when cases are to be run.</summary>
    public static List<DiffCase>? Active => Sink.Value;

    /// <summary>Runs the action with a collection open and returns what it gathered.</summary>
    public static List<DiffCase> Collect(Action action)
    {
        var cases = new List<DiffCase>();
        List<DiffCase>? previous = Sink.Value;
        Sink.Value = cases;
        try
        {
            action();
        }
        finally
        {
            Sink.Value = previous;
        }

        return cases;
    }
}
