using System.Text;

namespace Emulator.Display.Integration;

/// <summary>
/// Watches the bytes the guest sends to COM1 for a piece of text and calls back, once, on the machine's
/// thread, right after the byte that completes it: <c>--screenshot-at TEXT</c>. The text may sit anywhere
/// in the output and need not end a line (a shell prompt such as "mica> " never does). Bytes are Latin-1,
/// as the serial console shows them.
/// </summary>
public sealed class SerialTextWatch
{
    private readonly byte[] text;
    private readonly int[] fallback;
    private readonly Action found;
    private int matched;

    public SerialTextWatch(string text, Action found)
    {
        ArgumentException.ThrowIfNullOrEmpty(text);
        this.text = Encoding.Latin1.GetBytes(text);
        this.found = found;
        fallback = Fallback(this.text);
    }

    /// <summary>True once the text was seen (and the callback ran).</summary>
    public bool Seen { get; private set; }

    /// <summary>Takes the next byte the guest transmitted.</summary>
    public void Write(byte value)
    {
        if (Seen)
        {
            return;
        }

        // Knuth-Morris-Pratt: a partial match that breaks falls back to its longest proper border, so
        // "mmica" still finds "mica" without keeping the output.
        while (matched > 0 && text[matched] != value)
        {
            matched = fallback[matched - 1];
        }

        if (text[matched] == value)
        {
            matched++;
        }

        if (matched == text.Length)
        {
            Seen = true;
            found();
        }
    }

    private static int[] Fallback(byte[] pattern)
    {
        int[] border = new int[pattern.Length];
        int k = 0;
        for (int i = 1; i < pattern.Length; i++)
        {
            while (k > 0 && pattern[i] != pattern[k])
            {
                k = border[k - 1];
            }

            if (pattern[i] == pattern[k])
            {
                k++;
            }

            border[i] = k;
        }

        return border;
    }
}
