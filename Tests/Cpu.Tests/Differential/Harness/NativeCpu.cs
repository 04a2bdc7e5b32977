using System.Runtime.InteropServices;
using Iced.Intel;
using static Iced.Intel.AssemblerRegisters;

namespace Cpu.Tests.Differential.Harness;

/// <summary>
/// Runs snippets on the host CPU. A prologue saves the host's callee-saved registers, loads all 16 GPRs
/// and RFLAGS from the control block and falls into the snippet; the epilogue after the snippet stores
/// all GPRs and RFLAGS, restores the host stack and registers, clears DF and returns. The x87/SSE state is
/// swapped the same way: FXRSTOR64 of the case's image after saving the host's, FXSAVE64 of the outcome
/// before restoring it.
/// Everything lives in one RWX region mapped at a fixed low address (<see cref="HarnessLayout"/>).
/// </summary>
public sealed unsafe class NativeCpu
{
    private static readonly Lock Gate = new();
    private static NativeCpu? instance;
    private static string? unavailableReason;

    private readonly byte* region;
    private readonly byte[] epilogue;

    private NativeCpu(byte* region)
    {
        this.region = region;
        ulong b = (ulong)region;
        byte[] prologue = Assemble(b + HarnessLayout.PrologueOffset, a =>
        {
            a.push(rbx);
            a.push(rbp);
            a.push(r12);
            a.push(r13);
            a.push(r14);
            a.push(r15);
            a.mov(rax, b + HarnessLayout.ControlOffset);
            a.mov(__qword_ptr[rax + HarnessLayout.HostRspOffset], rsp);
            a.fxsave64(__[rax + (HarnessLayout.FpuHostOffset - HarnessLayout.ControlOffset)]);
            a.fxrstor64(__[rax + (HarnessLayout.FpuInOffset - HarnessLayout.ControlOffset)]);
            a.push(__qword_ptr[rax + HarnessLayout.InFlagsOffset]);
            a.popfq();
            AssemblerRegister64[] regs = [rax, rcx, rdx, rbx, rsp, rbp, rsi, rdi, r8, r9, r10, r11, r12, r13, r14, r15];
            for (int i = 1; i < 16; i++)
            {
                a.mov(regs[i], __qword_ptr[rax + (HarnessLayout.InGprOffset + (8 * i))]);
            }

            a.mov(rax, __qword_ptr[rax + HarnessLayout.InGprOffset]);
            a.jmp(b + HarnessLayout.SnippetOffset);
        });
        if (prologue.Length > HarnessLayout.SnippetOffset)
        {
            throw new InvalidOperationException("the prologue does not fit before the snippet");
        }

        prologue.CopyTo(new Span<byte>(region, prologue.Length));

        // Absolute addressing only (the region is below 2 GiB), so the epilogue runs wherever it is copied.
        epilogue = Assemble(b + HarnessLayout.SnippetOffset, a =>
        {
            AssemblerRegister64[] regs = [rax, rcx, rdx, rbx, rsp, rbp, rsi, rdi, r8, r9, r10, r11, r12, r13, r14, r15];
            ulong outGpr = b + HarnessLayout.ControlOffset + HarnessLayout.OutGprOffset;
            for (int i = 0; i < 16; i++)
            {
                a.mov(__qword_ptr[(long)(outGpr + (ulong)(8 * i))], regs[i]);
            }

            a.fxsave64(__[(long)(b + HarnessLayout.FpuOutOffset)]);
            a.fxrstor64(__[(long)(b + HarnessLayout.FpuHostOffset)]);
            a.mov(rsp, __qword_ptr[(long)(b + HarnessLayout.ControlOffset + HarnessLayout.HostRspOffset)]);
            a.pushfq();
            a.pop(rax);
            a.mov(__qword_ptr[(long)(b + HarnessLayout.ControlOffset + HarnessLayout.OutFlagsOffset)], rax);
            a.push(2);
            a.popfq();
            a.pop(r15);
            a.pop(r14);
            a.pop(r13);
            a.pop(r12);
            a.pop(rbp);
            a.pop(rbx);
            a.ret();
        });
        Prologue = prologue;
    }

    public byte[] Prologue { get; }

    public byte[] Epilogue => epilogue;

    /// <summary>The host harness, or null (with <paramref name="reason"/>) where it cannot run.</summary>
    public static NativeCpu? TryGet(out string reason)
    {
        lock (Gate)
        {
            if (instance is null && unavailableReason is null)
            {
                instance = Create(out unavailableReason);
            }

            reason = unavailableReason ?? "";
            return instance;
        }
    }

    private static NativeCpu? Create(out string? reason)
    {
        if (!OperatingSystem.IsLinux() || RuntimeInformation.ProcessArchitecture != Architecture.X64)
        {
            reason = "the host-CPU differential harness needs x86-64 Linux";
            return null;
        }

        foreach (ulong candidate in HarnessLayout.CandidateBases)
        {
            nint p = Libc.Mmap((nint)candidate, HarnessLayout.RegionSize, Libc.ProtRead | Libc.ProtWrite | Libc.ProtExec,
                Libc.MapPrivate | Libc.MapAnonymous | Libc.MapFixedNoReplace, -1, 0);
            if (p == (nint)candidate)
            {
                HarnessLayout.Base = candidate;
                reason = null;
                return new NativeCpu((byte*)p);
            }

            if (p != -1)
            {
                // An old kernel ignored the NOREPLACE hint and put the region elsewhere.
                Libc.Munmap(p, HarnessLayout.RegionSize);
            }
        }

        reason = "no fixed low address could be mapped for the harness region";
        return null;
    }

    /// <summary>Assembles <paramref name="build"/> for address <paramref name="ip"/>.</summary>
    public static byte[] Assemble(ulong ip, Action<Assembler> build)
    {
        var a = new Assembler(64);
        build(a);
        var writer = new ByteWriter();
        a.Assemble(writer, ip);
        return writer.ToArray();
    }

    public MachineSnapshot Run(DiffCase c)
    {
        if (c.Code.Length + epilogue.Length > HarnessLayout.CodeEnd - HarnessLayout.SnippetOffset)
        {
            throw new ArgumentException("snippet too long", nameof(c));
        }

        lock (Gate)
        {
            c.Code.CopyTo(new Span<byte>(region + HarnessLayout.SnippetOffset, c.Code.Length));
            epilogue.CopyTo(new Span<byte>(region + HarnessLayout.SnippetOffset + c.Code.Length, epilogue.Length));
            c.Data.CopyTo(new Span<byte>(region + HarnessLayout.DataOffset, HarnessLayout.DataSize));
            c.Stack.CopyTo(new Span<byte>(region + HarnessLayout.StackWindowOffset, HarnessLayout.StackWindowSize));
            (c.Fpu ?? FpuImage.Default()).CopyTo(new Span<byte>(region + HarnessLayout.FpuInOffset, HarnessLayout.FpuImageSize));
            ulong* control = (ulong*)(region + HarnessLayout.ControlOffset);
            for (int i = 0; i < 16; i++)
            {
                control[(HarnessLayout.InGprOffset / 8) + i] = c.Gpr[i];
            }

            control[HarnessLayout.InFlagsOffset / 8] = c.Flags;
            var entry = (delegate* unmanaged<void>)(region + HarnessLayout.PrologueOffset);
            entry();
            var gpr = new ulong[16];
            for (int i = 0; i < 16; i++)
            {
                gpr[i] = control[(HarnessLayout.OutGprOffset / 8) + i];
            }

            return new MachineSnapshot
            {
                Gpr = gpr,
                Flags = control[HarnessLayout.OutFlagsOffset / 8],
                RipOffset = c.Code.Length,
                Data = new Span<byte>(region + HarnessLayout.DataOffset, HarnessLayout.DataSize).ToArray(),
                Stack = new Span<byte>(region + HarnessLayout.StackWindowOffset, HarnessLayout.StackWindowSize).ToArray(),
                Fpu = new Span<byte>(region + HarnessLayout.FpuOutOffset, HarnessLayout.FpuImageSize).ToArray(),
            };
        }
    }

    private sealed class ByteWriter : CodeWriter
    {
        private readonly List<byte> bytes = [];

        public override void WriteByte(byte value) => bytes.Add(value);

        public byte[] ToArray() => [.. bytes];
    }
}
