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
    private readonly byte[] epilogue32;

    private NativeCpu(byte* region)
    {
        this.region = region;
        ulong b = (ulong)region;
        byte[] prologue = Assemble(b + HarnessLayout.PrologueOffset, a =>
        {
            EnterFromHost(a, b);
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

            LeaveToHostStack(a, b);
            a.pushfq();
            a.pop(rax);
            a.mov(__qword_ptr[(long)(b + HarnessLayout.ControlOffset + HarnessLayout.OutFlagsOffset)], rax);
            ReturnToHost(a);
        });
        Prologue = prologue;
        BuildCompatibilityEntry(b);
        epilogue32 = Assemble32(b + HarnessLayout.SnippetOffset, a => StoreAndLeave32(a, b));
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


    /// <summary>Saves the host's callee-saved registers, stack pointer and x87/SSE state; loads the case's x87/SSE state.</summary>
    private static void EnterFromHost(Assembler a, ulong b)
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
    }

    /// <summary>Stores the outcome's x87/SSE state, restores the host's and its stack pointer (absolute addressing only).</summary>
    private static void LeaveToHostStack(Assembler a, ulong b)
    {
        a.fxsave64(__[(long)(b + HarnessLayout.FpuOutOffset)]);
        a.fxrstor64(__[(long)(b + HarnessLayout.FpuHostOffset)]);
        a.mov(rsp, __qword_ptr[(long)(b + HarnessLayout.ControlOffset + HarnessLayout.HostRspOffset)]);
    }

    /// <summary>Clears the flags (DF above all) and returns to the caller with its callee-saved registers.</summary>
    private static void ReturnToHost(Assembler a)
    {
        a.push(2);
        a.popfq();
        a.pop(r15);
        a.pop(r14);
        a.pop(r13);
        a.pop(r12);
        a.pop(rbp);
        a.pop(rbx);
        a.ret();
    }

    /// <summary>
    /// The way into and out of 32-bit code: a 64-bit process on Linux x86-64 may far-return into the
    /// flat 32-bit user code segment (compatibility mode, SDM Vol. 3A, 5.2.1) and far-jump back to the
    /// 64-bit one. Code, data and stack are all below 4 GiB, so 32-bit addresses reach them. DS and ES are
    /// null in a 64-bit process and must be loaded (with SS's flat selector) before 32-bit code uses them.
    /// </summary>
    private void BuildCompatibilityEntry(ulong b)
    {
        ulong control = b + HarnessLayout.ControlOffset;
        byte[] entry = Assemble(b + HarnessLayout.Entry32Offset, a =>
        {
            EnterFromHost(a, b);
            a.mov(__word_ptr[rax + HarnessLayout.HostDataSelectorsOffset], ds);
            a.mov(__word_ptr[rax + HarnessLayout.HostDataSelectorsOffset + 2], es);
            a.push((int)HarnessLayout.User32CodeSelector);
            a.push((int)(b + HarnessLayout.CompatibilityStubOffset));
            a.db(0x48, 0xCB); // RETFQ: pops RIP, then CS
        });
        byte[] stub = Assemble32(b + HarnessLayout.CompatibilityStubOffset, a =>
        {
            a.mov(esp, (uint)(b + HarnessLayout.CompatibilityStackTopOffset));
            a.mov(ax, ss);
            a.mov(ds, ax);
            a.mov(es, ax);
            a.push(__dword_ptr[(uint)(control + HarnessLayout.InFlagsOffset)]);
            a.popfd();
            AssemblerRegister32[] regs = [eax, ecx, edx, ebx, esp, ebp, esi, edi];
            for (int i = 1; i < 8; i++)
            {
                a.mov(regs[i], __dword_ptr[(uint)(control + HarnessLayout.InGprOffset + (ulong)(8 * i))]);
            }

            a.mov(eax, __dword_ptr[(uint)(control + HarnessLayout.InGprOffset)]);
            a.jmp(b + HarnessLayout.SnippetOffset);
        });
        byte[] back = Assemble(b + HarnessLayout.Return64Offset, a =>
        {
            a.mov(ax, __word_ptr[(long)(control + HarnessLayout.HostDataSelectorsOffset)]);
            a.mov(ds, ax);
            a.mov(ax, __word_ptr[(long)(control + HarnessLayout.HostDataSelectorsOffset + 2)]);
            a.mov(es, ax);
            LeaveToHostStack(a, b);
            ReturnToHost(a);
        });
        if (entry.Length > 0x100 || stub.Length > 0x100 || back.Length > 0x100)
        {
            throw new InvalidOperationException("a 32-bit transition stub does not fit in its slot");
        }

        entry.CopyTo(new Span<byte>(region + HarnessLayout.Entry32Offset, entry.Length));
        stub.CopyTo(new Span<byte>(region + HarnessLayout.CompatibilityStubOffset, stub.Length));
        back.CopyTo(new Span<byte>(region + HarnessLayout.Return64Offset, back.Length));
    }

    /// <summary>The 32-bit epilogue: stores EAX..EDI and EFLAGS (from its own stack) and far-jumps back to 64-bit code.</summary>
    private static void StoreAndLeave32(Assembler a, ulong b)
    {
        ulong control = b + HarnessLayout.ControlOffset;
        AssemblerRegister32[] regs = [eax, ecx, edx, ebx, esp, ebp, esi, edi];
        for (int i = 0; i < 8; i++)
        {
            a.mov(__dword_ptr[(uint)(control + HarnessLayout.OutGprOffset + (ulong)(8 * i))], regs[i]);
        }

        a.mov(esp, (uint)(b + HarnessLayout.CompatibilityStackTopOffset));
        a.pushfd();
        a.pop(eax);
        a.mov(__dword_ptr[(uint)(control + HarnessLayout.OutFlagsOffset)], eax);
        a.jmp(HarnessLayout.User64CodeSelector, (uint)(b + HarnessLayout.Return64Offset));
    }

    /// <summary>Assembles 32-bit code for address <paramref name="ip"/>.</summary>
    public static byte[] Assemble32(ulong ip, Action<Assembler> build) => Assemble(ip, build, 32);

    /// <summary>Assembles <paramref name="build"/> for address <paramref name="ip"/>.</summary>
    public static byte[] Assemble(ulong ip, Action<Assembler> build, int bitness = 64)
    {
        var a = new Assembler(bitness);
        build(a);
        var writer = new ByteWriter();
        a.Assemble(writer, ip);
        return writer.ToArray();
    }

    public MachineSnapshot Run(DiffCase c)
    {
        byte[] tail = c.Bitness == 32 ? epilogue32 : epilogue;
        if (c.Code.Length + tail.Length > HarnessLayout.CodeEnd - HarnessLayout.SnippetOffset)
        {
            throw new ArgumentException("snippet too long", nameof(c));
        }

        lock (Gate)
        {
            c.Code.CopyTo(new Span<byte>(region + HarnessLayout.SnippetOffset, c.Code.Length));
            tail.CopyTo(new Span<byte>(region + HarnessLayout.SnippetOffset + c.Code.Length, tail.Length));
            c.Data.CopyTo(new Span<byte>(region + HarnessLayout.DataOffset, HarnessLayout.DataSize));
            c.Stack.CopyTo(new Span<byte>(region + HarnessLayout.StackWindowOffset, HarnessLayout.StackWindowSize));
            (c.Fpu ?? FpuImage.Default()).CopyTo(new Span<byte>(region + HarnessLayout.FpuInOffset, HarnessLayout.FpuImageSize));
            ulong* control = (ulong*)(region + HarnessLayout.ControlOffset);
            for (int i = 0; i < 16; i++)
            {
                control[(HarnessLayout.InGprOffset / 8) + i] = c.Gpr[i];
            }

            control[HarnessLayout.InFlagsOffset / 8] = c.Flags;

            // The 32-bit epilogue stores only the low halves.
            new Span<byte>(region + HarnessLayout.ControlOffset + HarnessLayout.OutGprOffset, 8 * 16).Clear();
            var entry = (delegate* unmanaged<void>)(region + (c.Bitness == 32 ? HarnessLayout.Entry32Offset : HarnessLayout.PrologueOffset));
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
