using Cpu.Translation;

namespace Cpu.Tests.Translation;

/// <summary>
/// The JIT mode the test machines and the differential harness use: <see cref="JitMode.Off"/> in
/// Cpu.Tests, <see cref="JitMode.Always"/> in Cpu.Tests.Compiled (the same sources built with
/// <c>COMPILED_TIER</c>). <c>EMU_JIT=off|on|always</c> overrides either.
/// </summary>
public static class JitEnvironment
{
#if COMPILED_TIER
    private const JitMode DefaultMode = JitMode.Always;
#else
    private const JitMode DefaultMode = JitMode.Off;
#endif

    public static JitMode Mode { get; } = Environment.GetEnvironmentVariable("EMU_JIT")?.Trim().ToLowerInvariant() switch
    {
        "always" => JitMode.Always,
        "on" => JitMode.On,
        "off" => JitMode.Off,
        _ => DefaultMode,
    };
}
