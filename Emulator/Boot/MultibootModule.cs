namespace Emulator.Boot;

/// <summary>
/// A boot module as QEMU's -initrd spells it: "path args"; the whole string is the module's command line
/// and its first word the file.
/// </summary>
public sealed record MultibootModule(string Path, string CommandLine)
{
    /// <summary>Parses QEMU's list syntax: modules separated by commas, ",," standing for a literal comma.</summary>
    public static IReadOnlyList<MultibootModule> ParseList(string? spec)
    {
        var result = new List<MultibootModule>();
        if (string.IsNullOrWhiteSpace(spec))
        {
            return result;
        }

        var current = new System.Text.StringBuilder();
        for (int i = 0; i < spec.Length; i++)
        {
            if (spec[i] == ',')
            {
                if (i + 1 < spec.Length && spec[i + 1] == ',')
                {
                    current.Append(',');
                    i++;
                    continue;
                }

                Add(current.ToString());
                current.Clear();
                continue;
            }

            current.Append(spec[i]);
        }

        Add(current.ToString());
        return result;

        void Add(string entry)
        {
            string trimmed = entry.Trim();
            if (trimmed.Length == 0)
            {
                return;
            }

            int space = trimmed.IndexOf(' ');
            result.Add(new MultibootModule(space < 0 ? trimmed : trimmed[..space], trimmed));
        }
    }
}
