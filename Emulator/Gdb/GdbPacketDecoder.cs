namespace Emulator.Gdb;

/// <summary>
/// Splits the byte stream from gdb into packets, interrupts and acknowledgements. A packet with a bad
/// checksum is dropped and answered with <c>-</c> (gdb sends it again); bytes outside a packet other than
/// the acknowledgements and 0x03 are ignored, so garbage never stops the machine.
/// </summary>
public sealed class GdbPacketDecoder
{
    private const int MaxPacket = 1 << 20;
    private readonly List<byte> payload = [];
    private State state = State.Idle;
    private int checksumDigits;
    private int checksum;

    private enum State
    {
        Idle,
        Payload,
        Checksum,
    }

    /// <summary>Feeds one byte; returns what it completed, if anything.</summary>
    public GdbDecoded Feed(byte b)
    {
        switch (state)
        {
            case State.Idle:
                if (b == '$')
                {
                    payload.Clear();
                    state = State.Payload;
                }

                return b == 0x03 ? GdbDecoded.Interrupt : GdbDecoded.None;
            case State.Payload:
                if (b == '#')
                {
                    state = State.Checksum;
                    checksumDigits = 0;
                    checksum = 0;
                }
                else if (payload.Count < MaxPacket)
                {
                    payload.Add(b);
                }
                else
                {
                    state = State.Idle;
                    return GdbDecoded.BadPacket;
                }

                return GdbDecoded.None;
            default:
                int digit = HexDigit(b);
                if (digit < 0)
                {
                    state = State.Idle;
                    return GdbDecoded.BadPacket;
                }

                checksum = (checksum << 4) | digit;
                if (++checksumDigits < 2)
                {
                    return GdbDecoded.None;
                }

                state = State.Idle;
                return checksum == GdbFraming.Checksum(payload.ToArray()) ? GdbDecoded.Packet : GdbDecoded.BadPacket;
        }
    }

    /// <summary>The payload of the packet <see cref="Feed"/> just completed.</summary>
    public byte[] Payload => [.. payload];

    private static int HexDigit(byte b) => b switch
    {
        >= (byte)'0' and <= (byte)'9' => b - '0',
        >= (byte)'a' and <= (byte)'f' => b - 'a' + 10,
        >= (byte)'A' and <= (byte)'F' => b - 'A' + 10,
        _ => -1,
    };
}
