using System.Globalization;
using System.Text;

namespace Emulator.Cli;

/// <summary>
/// QEMU's "key=value,key=value" option strings (as in -device, -machine, -smp, -drive): the first item may
/// omit its key (it is then <c>implicitKey</c>), and a doubled comma stands for a comma in a value.
/// </summary>
public sealed class QemuOptionList
{
    private readonly Dictionary<string, string> values = new(StringComparer.Ordinal);

    private QemuOptionList()
    {
    }

    /// <summary>The keys in the order written.</summary>
    public List<string> Keys { get; } = [];

    public static QemuOptionList Parse(string text, string implicitKey)
    {
        var list = new QemuOptionList();
        var item = new StringBuilder();
        var items = new List<string>();
        for (int i = 0; i < text.Length; i++)
        {
            if (text[i] == ',' && i + 1 < text.Length && text[i + 1] == ',')
            {
                item.Append(',');
                i++;
            }
            else if (text[i] == ',')
            {
                items.Add(item.ToString());
                item.Clear();
            }
            else
            {
                item.Append(text[i]);
            }
        }

        items.Add(item.ToString());
        for (int i = 0; i < items.Count; i++)
        {
            int eq = items[i].IndexOf('=', StringComparison.Ordinal);
            (string key, string value) = eq >= 0 ? (items[i][..eq], items[i][(eq + 1)..])
                : i == 0 ? (implicitKey, items[i]) : (items[i], "on");
            list.values[key] = value;
            list.Keys.Add(key);
        }

        return list;
    }

    public string? this[string key] => values.GetValueOrDefault(key);

    /// <summary>Parses a number as QEMU writes them: decimal, or hexadecimal with 0x.</summary>
    public static bool TryParseNumber(string text, out ulong value)
    {
        return text.StartsWith("0x", StringComparison.OrdinalIgnoreCase)
            ? ulong.TryParse(text.AsSpan(2), NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out value)
            : ulong.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out value);
    }
}
