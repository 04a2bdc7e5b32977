using Cpu.Translation;

namespace Cpu.Tests.Translation;

/// <summary>
/// The JIT mode the test machines use: <c>EMU_JIT=always</c> (or <c>on</c>) runs the whole suite with the
/// compiled tier; unset or <c>off</c> is the interpreter alone.
/// </summary>
public static class JitEnvironment
{
    public static JitMode Mode { get; } = Environment.GetEnvironmentVariable("EMU_JIT")?.Trim().ToLowerInvariant() switch
    {
        "always" => JitMode.Always,
        "on" => JitMode.On,
        _ => JitMode.Off,
    };
}
