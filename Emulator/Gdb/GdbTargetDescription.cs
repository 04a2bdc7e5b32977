using System.Text;

namespace Emulator.Gdb;

/// <summary>
/// The target description gdb reads through <c>qXfer:features:read:target.xml</c> (GDB manual, "Target
/// Descriptions"), generated from a <see cref="GdbRegisterSet"/> so the XML and the <c>g</c> packet agree.
/// </summary>
public static class GdbTargetDescription
{
    // The RFLAGS bits gdb names (Intel SDM Vol. 1, 3.4.3).
    private static readonly (string Name, int Bit)[] FlagFields =
    [
        ("CF", 0), (string.Empty, 1), ("PF", 2), ("AF", 4), ("ZF", 6), ("SF", 7), ("TF", 8), ("IF", 9),
        ("DF", 10), ("OF", 11), ("NT", 14), ("RF", 16), ("VM", 17), ("AC", 18), ("VIF", 19), ("VIP", 20), ("ID", 21),
    ];

    public static string Xml(GdbRegisterSet set)
    {
        var x = new StringBuilder();
        x.Append("<?xml version=\"1.0\"?>\n<!DOCTYPE target SYSTEM \"gdb-target.dtd\">\n<target>\n");
        x.Append("<architecture>").Append(set.Architecture).Append("</architecture>\n");
        string? feature = null;
        foreach (GdbRegister r in set.Registers)
        {
            if (r.Feature != feature)
            {
                if (feature is not null)
                {
                    x.Append("</feature>\n");
                }

                feature = r.Feature;
                x.Append("<feature name=\"").Append(feature).Append("\">\n");
                if (feature == GdbRegisterSet.Core)
                {
                    x.Append("<flags id=\"i386_eflags\" size=\"4\">\n");
                    foreach ((string name, int bit) in FlagFields)
                    {
                        x.Append($"<field name=\"{name}\" start=\"{bit}\" end=\"{bit}\"/>\n");
                    }

                    x.Append("</flags>\n");
                }
            }

            x.Append($"<reg name=\"{r.Name}\" bitsize=\"{r.Bits}\" type=\"{r.Type}\"/>\n");
        }

        x.Append("</feature>\n</target>\n");
        return x.ToString();
    }
}
