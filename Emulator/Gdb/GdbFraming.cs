using System.Text;

namespace Emulator.Gdb;

/// <summary>
/// The GDB remote serial protocol's packet format: <c>$payload#cc</c> with a modulo-256 checksum in two
/// hex digits, and <c>}</c> escaping (the byte XOR 0x20) of <c>$ # } *</c> inside binary payloads
/// (GDB manual, "Overview" of the remote protocol).
/// </summary>
public static class GdbFraming
{
    public const byte Escape = (byte)'}';

    /// <summary>The modulo-256 sum of the bytes, as the protocol checksums them.</summary>
    public static byte Checksum(ReadOnlySpan<byte> payload)
    {
        byte sum = 0;
        foreach (byte b in payload)
        {
            sum += b;
        }

        return sum;
    }

    /// <summary>The packet that carries <paramref name="payload"/> (escaped) on the wire.</summary>
    public static byte[] Frame(ReadOnlySpan<byte> payload)
    {
        var body = new List<byte>(payload.Length + 4);
        foreach (byte b in payload)
        {
            if (b is (byte)'$' or (byte)'#' or Escape or (byte)'*')
            {
                body.Add(Escape);
                body.Add((byte)(b ^ 0x20));
            }
            else
            {
                body.Add(b);
            }
        }

        byte sum = Checksum(body.ToArray());
        var packet = new byte[body.Count + 4];
        packet[0] = (byte)'$';
        body.CopyTo(packet, 1);
        packet[^3] = (byte)'#';
        Encoding.ASCII.GetBytes(sum.ToString("x2"), packet.AsSpan(packet.Length - 2));
        return packet;
    }

    public static byte[] Frame(string payload) => Frame(Encoding.Latin1.GetBytes(payload));

    /// <summary>Undoes the <c>}</c> escaping of a received payload (binary data of X packets).</summary>
    public static byte[] Unescape(ReadOnlySpan<byte> escaped)
    {
        var data = new List<byte>(escaped.Length);
        for (int i = 0; i < escaped.Length; i++)
        {
            data.Add(escaped[i] == Escape && i + 1 < escaped.Length ? (byte)(escaped[++i] ^ 0x20) : escaped[i]);
        }

        return [.. data];
    }
}
