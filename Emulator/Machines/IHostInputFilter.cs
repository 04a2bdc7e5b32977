namespace Emulator.Machines;

/// <summary>Sits between the host's stdin and COM1: takes escape keys out (see Emulator.Cli.SerialEscapes).</summary>
public interface IHostInputFilter
{
    /// <summary>Copies the bytes meant for the guest from <paramref name="input"/> to <paramref name="output"/> (at least as long); returns how many.</summary>
    int Filter(ReadOnlySpan<byte> input, Span<byte> output);
}
