using System.Text;

namespace Devices.Serial;

/// <summary>Keeps every transmitted byte in memory (tests, transcripts).</summary>
public sealed class MemorySerialSink : ISerialSink
{
    private readonly List<byte> bytes = [];

    public IReadOnlyList<byte> Bytes => bytes;

    /// <summary>The transcript as text (UTF-8).</summary>
    public string Text => Encoding.UTF8.GetString([.. bytes]);

    public void Write(byte value) => bytes.Add(value);

    public void Flush()
    {
    }
}
