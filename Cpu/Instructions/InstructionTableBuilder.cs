using Iced.Intel;

namespace Cpu.Instructions;

/// <summary>
/// Collects the declarations of <see cref="InstructionTable"/>. A code is declared once: a second
/// declaration of it is an error at start-up, not a silent override.
/// </summary>
public sealed class InstructionTableBuilder
{
    private static readonly Dictionary<Mnemonic, List<Code>> CodesByMnemonic = GroupCodes();
    private readonly List<InstructionDeclaration> declarations = [];

    /// <summary>The operand forms of <paramref name="mnemonic"/> that <paramref name="where"/> accepts (all when null).</summary>
    public static Code[] CodesOf(Mnemonic mnemonic, Func<OpCodeInfo, bool>? where = null) =>
        CodesByMnemonic.TryGetValue(mnemonic, out var all) ? all.Where(c => where is null || where(c.ToOpCode())).ToArray() : [];

    /// <summary>Declares every operand form of <paramref name="mnemonic"/> (those <paramref name="where"/> accepts).</summary>
    public InstructionDeclaration Declare(Mnemonic mnemonic, InstructionSemantics semantics, Func<OpCodeInfo, bool>? where = null)
    {
        Code[] codes = CodesOf(mnemonic, where);
        if (codes.Length == 0)
        {
            throw new ArgumentException($"{mnemonic}: no operand form matches", nameof(mnemonic));
        }

        return Add(new InstructionDeclaration(codes, semantics));
    }

    /// <summary>Declares the given operand forms.</summary>
    public InstructionDeclaration Declare(InstructionSemantics semantics, params Code[] codes) =>
        Add(new InstructionDeclaration(codes, semantics));

    /// <summary>One definition per code (null where nothing is declared), indexed by <see cref="Code"/>.</summary>
    internal InstructionDefinition?[] Build()
    {
        var table = new InstructionDefinition?[Enum.GetValues<Code>().Length];
        foreach (InstructionDeclaration d in declarations)
        {
            foreach (Code code in d.Codes)
            {
                if (table[(int)code] is not null)
                {
                    throw new InvalidOperationException($"{code} is declared twice");
                }

                table[(int)code] = new InstructionDefinition(code, d);
            }
        }

        return table;
    }

    private InstructionDeclaration Add(InstructionDeclaration declaration)
    {
        declarations.Add(declaration);
        return declaration;
    }

    private static Dictionary<Mnemonic, List<Code>> GroupCodes()
    {
        var map = new Dictionary<Mnemonic, List<Code>>();
        foreach (Code code in Enum.GetValues<Code>())
        {
            Mnemonic m = code.Mnemonic();
            if (!map.TryGetValue(m, out var list))
            {
                list = [];
                map[m] = list;
            }

            list.Add(code);
        }

        return map;
    }
}
