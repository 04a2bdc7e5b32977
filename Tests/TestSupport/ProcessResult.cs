namespace TestSupport;

/// <summary>What a finished external process left behind.</summary>
public sealed record ProcessResult(int ExitCode, string StandardOutput, string StandardError, bool TimedOut);
