namespace Cpu.Tests.Fuzz;

/// <summary>The figures of a fuzz run and the first few findings in full (each names its seed, to replay it).</summary>
public sealed class FuzzReport
{
    public const int KeptFindings = 10;

    public int Streams { get; set; }

    public double Seconds { get; set; }

    /// <summary>Host CPU time the run took (all threads of the process: the wall time on a loaded machine says little).</summary>
    public double CpuSeconds { get; set; }

    /// <summary>Streams where a .NET exception escaped the processor, under either tier.</summary>
    public int Crashes { get; set; }

    /// <summary>Streams the watchdog had to stop.</summary>
    public int Hangs { get; set; }

    /// <summary>Streams whose final state or RAM differs between the interpreter and the JIT.</summary>
    public int Disagreements { get; set; }

    /// <summary>Instructions retired under the interpreter, over all streams.</summary>
    public long Instructions { get; set; }

    public List<string> Findings { get; } = [];

    /// <summary>How the streams ended under the interpreter (<see cref="FuzzOutcome.Ending"/>), with counts.</summary>
    public SortedDictionary<string, int> Endings { get; } = new(StringComparer.Ordinal);

    public int[] StreamsPerMode { get; } = new int[5];

    public void Add(string finding)
    {
        if (Findings.Count < KeptFindings)
        {
            Findings.Add(finding);
        }
    }

    public override string ToString() =>
        $"{Streams} streams in {Seconds:F1} s ({CpuSeconds:F1} s of CPU; {Instructions} instructions; per mode {string.Join('/', StreamsPerMode)} real/prot16/prot32/compat/long): " +
        $"{Crashes} crashes, {Hangs} hangs, {Disagreements} tier disagreements; ended by " +
        string.Join(", ", Endings.OrderByDescending(e => e.Value).Select(e => $"{e.Key} {e.Value}")) +
        (Findings.Count == 0 ? string.Empty : "\n" + string.Join("\n\n", Findings));
}
