using System.Text;
using Emulator.Machines;

namespace Emulator.Cli;

/// <summary>
/// QEMU's escape keys on a stdio serial console (-nographic, -serial mon:stdio): Ctrl-A x quits, Ctrl-A h lists
/// the keys, Ctrl-A c would switch to the monitor (emu has none, so it says so), Ctrl-A Ctrl-A sends one Ctrl-A.
/// Every other byte, Ctrl-C included, goes to the guest.
/// </summary>
public sealed class SerialEscapes : IHostInputFilter
{
    private const byte CtrlA = 0x01;

    private readonly Action quit;
    private readonly Action<string> tell;
    private bool escape;

    /// <param name="quit">Ends the run (Ctrl-A x).</param>
    /// <param name="tell">Shows a message on the terminal.</param>
    public SerialEscapes(Action quit, Action<string> tell)
    {
        this.quit = quit;
        this.tell = tell;
    }

    /// <summary>The help text of Ctrl-A h (raw mode keeps the terminal's LF to CR LF translation).</summary>
    public const string Help =
        "\nC-a h    print this help\nC-a x    exit emu\nC-a c    switch to the monitor (emu has none)\nC-a C-a  send C-a to the guest\n";

    public int Filter(ReadOnlySpan<byte> input, Span<byte> output)
    {
        int n = 0;
        foreach (byte b in input)
        {
            if (!escape)
            {
                if (b == CtrlA)
                {
                    escape = true;
                }
                else
                {
                    output[n++] = b;
                }

                continue;
            }

            escape = false;
            switch (b)
            {
                case CtrlA:
                    output[n++] = CtrlA;
                    break;
                case (byte)'x':
                    tell("\nemu: terminated (C-a x)\n");
                    quit();
                    break;
                case (byte)'h':
                    tell(Help);
                    break;
                case (byte)'c':
                    tell("\nemu: there is no monitor (C-a h for help)\n");
                    break;
                default:
                    break; // QEMU ignores other escapes too
            }
        }

        return n;
    }

    /// <summary>Writes <paramref name="text"/> to the terminal (stdout).</summary>
    public static void WriteToTerminal(string text)
    {
        using Stream stdout = Console.OpenStandardOutput();
        stdout.Write(Encoding.ASCII.GetBytes(text));
        stdout.Flush();
    }
}
