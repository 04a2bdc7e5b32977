namespace Emulator.Display.Text;

/// <summary>
/// A text screen fed with the bytes the guest sends to its serial port, shown in the window until the guest
/// sets a graphics mode. It understands what a boot log needs: CR, LF, backspace, tab, and scrolling;
/// ANSI escape sequences (ESC [ ... final byte) are skipped, not interpreted. Bytes are Latin-1.
/// Writes come from the machine's thread, reads from the window's: a lock guards the cells.
/// </summary>
public sealed class SerialConsoleScreen : IFrameSource
{
    public const uint Foreground = 0x00C0C0C0;
    public const uint Background = 0x00000000;

    private readonly byte[] cells;
    private readonly Lock gate = new();
    private int cursorColumn;
    private int cursorRow;
    private long version = 1;
    private EscapeState escape;

    public SerialConsoleScreen(int columns = 80, int rows = 25)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(columns, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(rows, 1);
        Columns = columns;
        Rows = rows;
        cells = new byte[columns * rows];
        cells.AsSpan().Fill((byte)' ');
    }

    private enum EscapeState
    {
        None,
        Escape,
        Csi,
    }

    public int Columns { get; }

    public int Rows { get; }

    public FrameInfo Info
    {
        get
        {
            lock (gate)
            {
                return new FrameInfo(Columns * ConsoleFont8x16.Width, Rows * ConsoleFont8x16.Height, version);
            }
        }
    }

    /// <summary>Appends bytes the guest wrote to the serial port.</summary>
    public void Write(ReadOnlySpan<byte> bytes)
    {
        lock (gate)
        {
            foreach (byte b in bytes)
            {
                Put(b);
            }

            version++;
        }
    }

    /// <summary>Appends one byte the guest wrote to the serial port.</summary>
    public void Write(byte value) => Write([value]);

    /// <summary>The text of one row, trailing spaces removed (for tests and the overlay).</summary>
    public string RowText(int row)
    {
        lock (gate)
        {
            ReadOnlySpan<byte> line = cells.AsSpan(row * Columns, Columns);
            return System.Text.Encoding.Latin1.GetString(line).TrimEnd(' ');
        }
    }

    public bool TryCopyTo(Span<uint> destination, out FrameInfo copied)
    {
        lock (gate)
        {
            copied = new FrameInfo(Columns * ConsoleFont8x16.Width, Rows * ConsoleFont8x16.Height, version);
            if (destination.Length < copied.PixelCount)
            {
                return false;
            }

            for (int row = 0; row < Rows; row++)
            {
                for (int col = 0; col < Columns; col++)
                {
                    TextRasterizer.DrawChar(destination, copied.Width, copied.Height, col * ConsoleFont8x16.Width, row * ConsoleFont8x16.Height, cells[(row * Columns) + col], Foreground, Background);
                }
            }

            // The cursor: an underline in the last two rows of its cell.
            int cx = Math.Min(cursorColumn, Columns - 1) * ConsoleFont8x16.Width;
            for (int y = ConsoleFont8x16.Height - 2; y < ConsoleFont8x16.Height; y++)
            {
                destination.Slice((((cursorRow * ConsoleFont8x16.Height) + y) * copied.Width) + cx, ConsoleFont8x16.Width).Fill(Foreground);
            }

            return true;
        }
    }

    private void Put(byte b)
    {
        switch (escape)
        {
            case EscapeState.Escape:
                escape = b == (byte)'[' ? EscapeState.Csi : EscapeState.None;
                return;
            case EscapeState.Csi:
                // Parameters and intermediates are 0x20-0x3F; a byte in 0x40-0x7E ends the sequence.
                if (b is >= 0x40 and <= 0x7E)
                {
                    escape = EscapeState.None;
                }

                return;
        }

        switch (b)
        {
            case 0x1B:
                escape = EscapeState.Escape;
                break;
            case (byte)'\r':
                cursorColumn = 0;
                break;
            case (byte)'\n':
                // Serial logs often end lines with a bare LF: treat it as CR LF, as a terminal with onlcr does.
                cursorColumn = 0;
                NewLine();
                break;
            case 0x08:
                if (cursorColumn > 0)
                {
                    cursorColumn--;
                }

                break;
            case (byte)'\t':
                do
                {
                    PutPrintable((byte)' ');
                }
                while (cursorColumn % 8 != 0);
                break;
            default:
                if (b >= 0x20 && b != 0x7F)
                {
                    PutPrintable(b);
                }

                break;
        }
    }

    private void PutPrintable(byte b)
    {
        if (cursorColumn >= Columns)
        {
            cursorColumn = 0;
            NewLine();
        }

        cells[(cursorRow * Columns) + cursorColumn] = b;
        cursorColumn++;
    }

    private void NewLine()
    {
        if (cursorRow < Rows - 1)
        {
            cursorRow++;
            return;
        }

        cells.AsSpan(Columns).CopyTo(cells);
        cells.AsSpan((Rows - 1) * Columns).Fill((byte)' ');
    }
}
