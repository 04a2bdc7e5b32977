using System.Reflection;
using System.Runtime.CompilerServices;
using Cpu.Semantics;
using Iced.Intel;

namespace Cpu.Instructions;

/// <summary>
/// The one place where instruction forms are declared (the <see cref="Sources"/>), built at start-up into
/// arrays indexed by Iced's <see cref="Code"/>. The interpreter dispatches through it, the block decoder
/// asks it where blocks end, and the JIT's front end and emitter take their forms from it.
/// </summary>
public static unsafe class InstructionTable
{
    /// <summary>The declaration lists, one per instruction group. A new group adds its list here.</summary>
    private static readonly Action<InstructionTableBuilder>[] Sources =
    [
        IntegerInstructions.Declare,
        ControlInstructions.Declare,
        SystemInstructionForms.Declare,
        SseInstructionForms.Declare,
        MmxInstructionForms.Declare,
        X87InstructionForms.Declare,
    ];

    private static readonly InstructionDefinition?[] Definitions = BuildDefinitions();

    // The semantic methods as function pointers: one indirect call per interpreted instruction, no delegate.
    // A guarded code's handler is ExecuteGuarded, which runs its guard and then its semantics.
    private static readonly delegate*<Processor, ref Instruction, void>[] Semantics = BuildSemantics();
    private static readonly delegate*<Processor, ref Instruction, void>[] Guards = BuildGuards();
    private static readonly delegate*<Processor, ref Instruction, void>[] Handlers = BuildHandlers();

    /// <summary>Every declared definition.</summary>
    public static IEnumerable<InstructionDefinition> All => Definitions.Where(d => d is not null)!;

    /// <summary>The definition of <paramref name="code"/>, or null when it is not declared (it raises #UD).</summary>
    public static InstructionDefinition? Find(Code code) => Definitions[(int)code];

    /// <summary>Runs <paramref name="ins"/> (RIP already past it) by its semantic method; undeclared codes raise #UD.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Execute(Processor cpu, ref Instruction ins) => Handlers[(int)ins.Code](cpu, ref ins);

    /// <summary>True when the decoded block ends after <paramref name="ins"/>.</summary>
    public static bool EndsBlock(in Instruction ins)
    {
        if (ins.IsInvalid || ins.FlowControl != FlowControl.Next)
        {
            return true;
        }

        // A repeated string instruction may stop part-way (budget, interrupt) and run again from its own address.
        return Definitions[(int)ins.Code] is not { } d || d.Has(InstructionTraits.EndsBlock) ||
            (ins.IsStringInstruction && (ins.HasRepPrefix || ins.HasRepnePrefix));
    }

    private static InstructionDefinition?[] BuildDefinitions()
    {
        var builder = new InstructionTableBuilder();
        foreach (Action<InstructionTableBuilder> source in Sources)
        {
            source(builder);
        }

        return builder.Build();
    }

    private static void ExecuteGuarded(Processor cpu, ref Instruction ins)
    {
        Guards[(int)ins.Code](cpu, ref ins);
        Semantics[(int)ins.Code](cpu, ref ins);
    }

    private static delegate*<Processor, ref Instruction, void>[] BuildSemantics()
    {
        var semantics = new delegate*<Processor, ref Instruction, void>[Definitions.Length];
        var undefined = PointerTo(((InstructionSemantics)Undefined.Execute).Method);
        for (int i = 0; i < semantics.Length; i++)
        {
            semantics[i] = Definitions[i] is { } d ? PointerTo(d.Semantics.Method) : undefined;
        }

        return semantics;
    }

    private static delegate*<Processor, ref Instruction, void>[] BuildGuards()
    {
        var guards = new delegate*<Processor, ref Instruction, void>[Definitions.Length];
        for (int i = 0; i < guards.Length; i++)
        {
            guards[i] = Definitions[i]?.Declaration.Guard is { } g ? PointerTo(g.Method) : null;
        }

        return guards;
    }

    private static delegate*<Processor, ref Instruction, void>[] BuildHandlers()
    {
        var handlers = new delegate*<Processor, ref Instruction, void>[Definitions.Length];
        var guarded = PointerTo(((InstructionSemantics)ExecuteGuarded).Method);
        for (int i = 0; i < handlers.Length; i++)
        {
            handlers[i] = Guards[i] != null ? guarded : Semantics[i];
        }

        return handlers;
    }

    private static delegate*<Processor, ref Instruction, void> PointerTo(MethodInfo method) =>
        (delegate*<Processor, ref Instruction, void>)method.MethodHandle.GetFunctionPointer();
}
