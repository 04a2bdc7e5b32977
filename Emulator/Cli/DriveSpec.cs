using Emulator.Machines;

namespace Emulator.Cli;

/// <summary>
/// QEMU's -drive syntax for the disks emu has: <c>file=PATH,format=raw,if=virtio[,readonly=on|off][,aio=threads|inline]</c>,
/// keys in any order, a doubled comma standing for a comma inside a value (as QEMU's option parser reads it).
/// <c>aio=inline</c> (emu's own value, the default: measured cheaper, docs/DISKS.md) does the image I/O on the CPU
/// thread, <c>aio=threads</c> on a worker thread.
/// </summary>
public static class DriveSpec
{
    public static bool TryParse(string spec, out DriveConfiguration drive, out string error)
    {
        drive = new DriveConfiguration(string.Empty);
        string? file = null;
        bool readOnly = false;
        bool ioWorker = false;
        foreach (string part in Split(spec))
        {
            int eq = part.IndexOf('=', StringComparison.Ordinal);
            string key = eq < 0 ? part : part[..eq];
            string value = eq < 0 ? string.Empty : part[(eq + 1)..];
            switch (key)
            {
                case "file":
                    file = value;
                    break;
                case "format" when value == "raw":
                case "if" when value == "virtio":
                case "media" when value == "disk":
                    break;
                case "format":
                    error = $"format={value} is not supported (only raw images)";
                    return false;
                case "if":
                    error = $"if={value} is not supported (only virtio disks)";
                    return false;
                case "readonly" when value is "on" or "off" or "true" or "false" or "":
                    readOnly = value is "on" or "true" or "";
                    break;
                case "aio" when value is "threads" or "inline":
                    ioWorker = value == "threads";
                    break;
                case "aio":
                    error = $"aio={value} is not supported (use aio=threads or aio=inline)";
                    return false;
                default:
                    error = $"unknown or malformed drive option '{part}' (use file=PATH,format=raw,if=virtio[,readonly=on][,aio=threads|inline])";
                    return false;
            }
        }

        if (string.IsNullOrEmpty(file))
        {
            error = "a drive needs file=PATH";
            return false;
        }

        drive = new DriveConfiguration(file, readOnly, ioWorker);
        error = string.Empty;
        return true;
    }

    private static List<string> Split(string spec)
    {
        var parts = new List<string>();
        var current = new System.Text.StringBuilder();
        for (int i = 0; i < spec.Length; i++)
        {
            if (spec[i] == ',' && i + 1 < spec.Length && spec[i + 1] == ',')
            {
                current.Append(',');
                i++;
            }
            else if (spec[i] == ',')
            {
                parts.Add(current.ToString());
                current.Clear();
            }
            else
            {
                current.Append(spec[i]);
            }
        }

        parts.Add(current.ToString());
        return parts;
    }
}
