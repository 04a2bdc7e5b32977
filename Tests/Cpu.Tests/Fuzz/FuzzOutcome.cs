using System.Text;
using Cpu.Execution;
using Cpu.State;

namespace Cpu.Tests.Fuzz;

/// <summary>
/// What a stream left behind under one tier: how the run stopped (or the .NET exception that escaped), the
/// instructions retired, and the architectural state, as text so two tiers compare line by line. RAM is compared
/// separately (<see cref="FuzzMachine.Ram"/>).
/// </summary>
public sealed class FuzzOutcome
{
    private FuzzOutcome(string state, string? crash, long retired, string ending)
    {
        State = state;
        CrashMessage = crash;
        Retired = retired;
        Ending = ending;
    }

    /// <summary>How the stream ended, for the report's tally: "#GP" and the like (halted in that vector's handler), "hlt" (any other HLT), "budget", "triple fault".</summary>
    public string Ending { get; }

    /// <summary>Instructions the stream retired.</summary>
    public long Retired { get; }

    /// <summary>The final state, one register per line.</summary>
    public string State { get; }

    /// <summary>The internal error (an <see cref="EmulatorBugException"/> or any other .NET exception) that ended the run, or null.</summary>
    public string? CrashMessage { get; }

    /// <summary>Whether the run had to be stopped from outside: it neither halted nor ran out of its budget in time.</summary>
    public bool Hung => State.StartsWith("stop StopRequested", StringComparison.Ordinal);

    public static FuzzOutcome Crash(Exception e) => new(string.Empty, $"{e.GetType().Name}: {e.Message}\n{e.StackTrace}", 0, "crash");

    public static FuzzOutcome Of(Processor cpu, string stop, long retired)
    {
        CpuState s = cpu.State;
        var b = new StringBuilder();
        b.Append("stop ").Append(stop).Append('\n');
        b.Append("retired ").Append(retired).Append('\n');
        b.Append("rip ").Append(s.Rip.ToString("X")).Append('\n');
        b.Append("rflags ").Append(s.Rflags.ToString("X")).Append('\n');
        for (int i = 0; i < 16; i++)
        {
            b.Append('r').Append(i).Append(' ').Append(s.Gpr[i].ToString("X")).Append('\n');
        }

        for (int i = 0; i < 6; i++)
        {
            SegmentRegister seg = s.Segments[i];
            b.Append("seg").Append(i).Append(' ').Append(seg.Selector.ToString("X")).Append(' ').Append(seg.Base.ToString("X"))
                .Append(' ').Append(seg.Limit.ToString("X")).Append(' ').Append(seg.Attributes.ToString("X")).Append('\n');
        }

        b.Append("cr0 ").Append(s.Cr0.ToString("X")).Append(" cr2 ").Append(s.Cr2.ToString("X")).Append(" cr3 ").Append(s.Cr3.ToString("X"))
            .Append(" cr4 ").Append(s.Cr4.ToString("X")).Append(" efer ").Append(s.Efer.ToString("X")).Append('\n');
        b.Append("mxcsr ").Append(s.Mxcsr.ToString("X")).Append(" fsw ").Append(s.X87.Status.ToString("X")).Append(" fcw ").Append(s.X87.Control.ToString("X"))
            .Append(" ftw ").Append(s.X87.Tag.ToString("X")).Append('\n');
        for (int i = 0; i < 16; i++)
        {
            b.Append("xmm").Append(i).Append(' ').Append(s.Xmm[i].ToString()).Append('\n');
        }

        for (int i = 0; i < 8; i++)
        {
            b.Append("st").Append(i).Append(' ').Append(s.X87.Registers[i].ToString()).Append('\n');
        }

        return new FuzzOutcome(b.ToString(), null, retired, Classify(s, stop));
    }

    private static readonly string[] VectorNames =
        ["#DE", "#DB", "NMI", "#BP", "#OF", "#BR", "#UD", "#NM", "#DF", "9", "#TS", "#NP", "#SS", "#GP", "#PF", "15", "#MF", "#AC", "#MC", "#XM"];

    private static string Classify(CpuState s, string stop)
    {
        if (stop != nameof(StopReason.Halted))
        {
            return stop == nameof(StopReason.BudgetExhausted) ? "budget" : stop == nameof(StopReason.TripleFault) ? "triple fault" : stop;
        }

        ulong at = s.Segments[SegmentIndex.Cs].Base + s.Rip - 1;
        if (at >= FuzzLayout.Handlers && at < FuzzLayout.Handlers + 4096)
        {
            int vector = (int)(at - FuzzLayout.Handlers) / 16;
            return vector < VectorNames.Length ? VectorNames[vector] : "INT n";
        }

        return "hlt";
    }

    /// <summary>The first line where two outcomes differ, or null when they agree.</summary>
    public static string? FirstDifference(FuzzOutcome a, FuzzOutcome b)
    {
        string[] x = a.State.Split('\n');
        string[] y = b.State.Split('\n');
        for (int i = 0; i < Math.Max(x.Length, y.Length); i++)
        {
            string l = i < x.Length ? x[i] : "<none>";
            string r = i < y.Length ? y[i] : "<none>";
            if (l != r)
            {
                return $"interpreter \"{l}\", JIT \"{r}\"";
            }
        }

        return null;
    }
}
