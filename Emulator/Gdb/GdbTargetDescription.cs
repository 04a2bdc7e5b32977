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

    // MXCSR's fields (Intel SDM Vol. 1, 10.2.3).
    private static readonly (string Name, int Bit)[] MxcsrFields =
    [
        ("IE", 0), ("DE", 1), ("ZE", 2), ("OE", 3), ("UE", 4), ("PE", 5), ("DAZ", 6), ("IM", 7), ("DM", 8), ("ZM", 9),
        ("OM", 10), ("UM", 11), ("PM", 12), ("FZ", 15),
    ];

    // The views of an XMM register gdb offers (its vec128 union): element type and count of each vector.
    private static readonly (string Field, string Id, string Element, int Count)[] XmmViews =
    [
        ("v4_float", "v4f", "ieee_single", 4),
        ("v2_double", "v2d", "ieee_double", 2), ("v16_int8", "v16i8", "int8", 16), ("v8_int16", "v8i16", "int16", 8),
        ("v4_int32", "v4i32", "int32", 4), ("v2_int64", "v2i64", "int64", 2),
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
                else if (feature == GdbRegisterSet.Sse)
                {
                    AppendSseTypes(x);
                }
            }

            x.Append($"<reg name=\"{r.Name}\" bitsize=\"{r.Bits}\" type=\"{r.Type}\"/>\n");
        }

        x.Append("</feature>\n</target>\n");
        return x.ToString();
    }

    /// <summary>The types of the SSE feature: the vec128 union of vectors, and MXCSR's flags.</summary>
    private static void AppendSseTypes(StringBuilder x)
    {
        foreach ((_, string id, string element, int count) in XmmViews)
        {
            x.Append($"<vector id=\"{id}\" type=\"{element}\" count=\"{count}\"/>\n");
        }

        x.Append("<union id=\"vec128\">\n");
        foreach ((string field, string id, _, _) in XmmViews)
        {
            x.Append($"<field name=\"{field}\" type=\"{id}\"/>\n");
        }

        x.Append("<field name=\"uint128\" type=\"uint128\"/>\n</union>\n");
        x.Append("<flags id=\"i386_mxcsr\" size=\"4\">\n");
        foreach ((string name, int bit) in MxcsrFields)
        {
            x.Append($"<field name=\"{name}\" start=\"{bit}\" end=\"{bit}\"/>\n");
        }

        x.Append("</flags>\n");
    }
}
