using System.Globalization;

namespace Emulator.Gdb;

/// <summary>
/// Where the stub listens: QEMU's spellings <c>tcp::PORT</c> and <c>tcp:localhost:PORT</c>, or a bare PORT.
/// Only the loopback interface is served: a debugger controls the whole machine.
/// </summary>
public static class GdbEndpoint
{
    /// <summary>The port <c>-s</c> means, as on QEMU.</summary>
    public const int DefaultPort = 1234;

    public static bool TryParsePort(string text, out int port, out string error)
    {
        string p = text;
        if (p.StartsWith("tcp:", StringComparison.Ordinal))
        {
            p = p[4..];
            int colon = p.LastIndexOf(':');
            string host = colon < 0 ? string.Empty : p[..colon];
            if (colon < 0 || host is not ("" or "localhost" or "127.0.0.1"))
            {
                port = 0;
                error = $"'{text}': use tcp::PORT (only localhost is served)";
                return false;
            }

            p = p[(colon + 1)..];
        }

        bool ok = int.TryParse(p, NumberStyles.None, CultureInfo.InvariantCulture, out port) && port is > 0 and < 65536;
        error = ok ? string.Empty : $"'{text}' is not a TCP port (use tcp::PORT, e.g. tcp::1234)";
        return ok;
    }

    /// <summary>True for an ELF64 image (Mica's kernel): gdb then gets the x86-64 description from the first instruction on.</summary>
    public static bool IsElf64(string path)
    {
        Span<byte> header = stackalloc byte[5];
        try
        {
            using FileStream f = File.OpenRead(path);
            return f.Read(header) == 5 && header[0] == 0x7F && header[1] == 'E' && header[2] == 'L' && header[3] == 'F' && header[4] == 2;
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            return false;
        }
    }
}
