using System.Text;
using Cpu.State;
using Emulator.Gdb;
using Emulator.Machines;
using Emulator.Tests.Support;
using Iced.Intel;

namespace Emulator.Tests.Gdb;

/// <summary>The stub's packet handlers against a stopped machine: registers, memory, breakpoints, descriptions, monitor.</summary>
public class GdbSessionTests
{
    [Fact]
    public void RegistersFollowTheI386LayoutInProtectedMode()
    {
        using Machine machine = StoppedGuest(out GdbSession session);
        machine.Processor.State.Gpr[1] = 0x11223344; // ECX: gdb's register 1 in i386
        string g = session.Handle("g").Reply!;
        Assert.Equal(GdbRegisterSet.I386.TotalBytes * 2, g.Length);
        Assert.Equal("44332211", g.Substring(8, 8));
        Assert.Equal($"{FlatProtectedModeGuest.Code:x8}".Chunk(2).Reverse().SelectMany(c => c).ToArray(), session.Handle("p8").Reply!.ToCharArray());

        Assert.Equal("OK", session.Handle("P0=efbeadde").Reply);
        Assert.Equal(0xDEADBEEFUL, machine.Processor.State.Gpr[0]);
        Assert.Equal("E01", session.Handle("p999").Reply);
    }

    [Fact]
    public void DescriptionReadAfterAModeSwitchFollowsItAndTheLayoutWithIt()
    {
        using Machine machine = StoppedGuest(out GdbSession session);
        Assert.Contains("<architecture>i386</architecture>", session.Handle("qXfer:features:read:target.xml:0,fff").Reply);

        // The guest enters long mode (EFER.LMA): gdb still holds the i386 description, so g keeps its layout...
        machine.Processor.State.Efer |= 1UL << 10;
        Assert.Equal(GdbRegisterSet.I386.TotalBytes * 2, session.Handle("g").Reply!.Length);

        // ...until gdb reads the description again (unset tdesc filename, or a new connection).
        Assert.Contains("<architecture>i386:x86-64</architecture>", session.Handle("qXfer:features:read:target.xml:0,fff").Reply);
        Assert.Equal(GdbRegisterSet.Amd64.TotalBytes * 2, session.Handle("g").Reply!.Length);
    }

    [Fact]
    public void X87AndSseRegistersAreReadAndWrittenInGdbsLayout()
    {
        using Machine machine = StoppedGuest(out GdbSession session);
        CpuState s = machine.Processor.State;
        int st0 = Number("st0"), fctrl = Number("fctrl"), xmm1 = Number("xmm1"), mxcsr = Number("mxcsr");
        s.X87.Top = 6;
        s.X87.Registers[6] = new Float80(0xC000_0000_0000_0000, 0x3FFF); // 1.5 in ST(0)
        s.X87.Control = 0x37F;
        s.Xmm[1] = System.Runtime.Intrinsics.Vector128.Create(0x1122334455667788UL, 0x99AABBCCDDEEFF00UL);

        Assert.Equal("00000000000000c0ff3f", session.Handle($"p{st0:x}").Reply);
        Assert.Equal("7f030000", session.Handle($"p{fctrl:x}").Reply);
        Assert.Equal("887766554433221100ffeeddccbbaa99", session.Handle($"p{xmm1:x}").Reply);
        Assert.Equal("801f0000", session.Handle($"p{mxcsr:x}").Reply);

        Assert.Equal("OK", session.Handle($"P{st0:x}=0000000000000080ff3f").Reply); // 1.0
        Assert.Equal(new Float80(0x8000_0000_0000_0000, 0x3FFF), s.X87.Registers[6]);
        Assert.Equal("OK", session.Handle($"P{xmm1:x}=01000000000000000200000000000000").Reply);
        Assert.Equal(System.Runtime.Intrinsics.Vector128.Create(1UL, 2UL), s.Xmm[1]);
        Assert.Equal("OK", session.Handle($"P{mxcsr:x}=a01f0000").Reply);
        Assert.Equal(0x1FA0U, s.Mxcsr);

        // The g packet carries them at the same offsets.
        string g = session.Handle("g").Reply!;
        int offset = GdbRegisterSet.I386.Registers.Take(xmm1).Sum(r => r.Bytes) * 2;
        Assert.Equal("01000000000000000200000000000000", g.Substring(offset, 32));

        static int Number(string name) => GdbRegisterSet.I386.Registers.ToList().FindIndex(r => r.Name == name);
    }

    [Fact]
    public void TargetDescriptionMatchesTheRegisterLayout()
    {
        using Machine machine = StoppedGuest(out GdbSession session);
        string xml = ReadWholeDescription(session);
        Assert.Contains("<architecture>i386</architecture>", xml);
        Assert.Contains("<reg name=\"eip\" bitsize=\"32\" type=\"code_ptr\"/>", xml);
        Assert.Equal(GdbRegisterSet.I386.Registers.Count, xml.Split("<reg ").Length - 1);

        string amd64 = GdbTargetDescription.Xml(GdbRegisterSet.Amd64);
        Assert.Contains("<architecture>i386:x86-64</architecture>", amd64);
        Assert.Contains("<reg name=\"k_gs_base\"", amd64);
        Assert.Contains("<feature name=\"org.gnu.gdb.i386.sse\">", amd64);
        Assert.Contains("<reg name=\"xmm15\" bitsize=\"128\" type=\"vec128\"/>", amd64);
        Assert.Contains("<union id=\"vec128\">", amd64);
    }

    [Fact]
    public void MemoryReadsAndWritesGoThroughPagingWithoutFaultingTheGuest()
    {
        using Machine machine = StoppedGuest(out GdbSession session);
        ulong code = FlatProtectedModeGuest.Code;
        Assert.Equal("90", session.Handle($"m{code:x},1").Reply);
        Assert.Equal("OK", session.Handle($"M{code + 0x100:x},2:abcd").Reply);
        Assert.Equal("abcd", session.Handle($"m{code + 0x100:x},2").Reply);
        Assert.Equal("OK", session.Handle($"X{code + 0x200:x},2:}}]*").Reply); // an escaped '}' then '*'... as bytes 7d 2a
        Assert.Equal("7d2a", session.Handle($"m{code + 0x200:x},2").Reply);

        // With paging on, an unmapped address is an error reply and no #PF reaches the guest.
        EnablePagingWithOnePage(machine);
        Assert.Equal("E14", session.Handle("m40000000,4").Reply);
        Assert.Equal("E14", session.Handle("M40000000,1:00").Reply);
        Assert.Equal(0L, machine.Processor.Counters.ExceptionsByVector[14]);
    }

    [Fact]
    public void SoftwareBreakpointsLeaveTheGuestsBytesAlone()
    {
        using Machine machine = StoppedGuest(out GdbSession session);
        ulong at = FlatProtectedModeGuest.Code + 2;
        Assert.Equal("OK", session.Handle($"Z0,{at:x},1").Reply);
        Assert.Equal("90", session.Handle($"m{at:x},1").Reply);
        Assert.Equal((null, GdbResume.Continue), session.Handle("vCont;c"));
        machine.Processor.Debugger.Resume(step: false);
        RunResult stop = machine.RunUntil(new RunCondition { MaxInstructions = 100 });
        Assert.Equal(StopCause.StopRequested, stop.Cause);
        Assert.Equal(at, machine.Processor.State.Rip);
        Assert.Equal("T05thread:01;", session.StopReply(interrupted: false));
        Assert.Equal("OK", session.Handle($"z0,{at:x},1").Reply);
        Assert.Empty(machine.Processor.Debugger.Breakpoints);
    }

    [Fact]
    public void QueriesAndMonitorCommands()
    {
        using Machine machine = StoppedGuest(out GdbSession session);
        Assert.Contains("qXfer:features:read+", session.Handle("qSupported:multiprocess+;xmlRegisters=i386").Reply);
        Assert.Equal("1", session.Handle("qAttached").Reply);
        Assert.Equal("QC01", session.Handle("qC").Reply);
        Assert.Equal("m01", session.Handle("qfThreadInfo").Reply);
        Assert.Equal("l", session.Handle("qsThreadInfo").Reply);
        Assert.Equal(string.Empty, session.Handle("qTStatus").Reply);
        Assert.Equal("E01", session.Handle("mzz,1").Reply);
        Assert.Equal((null, GdbResume.Step), session.Handle("vCont;s:1;c"));
        Assert.Equal((null, GdbResume.Kill), session.Handle("k"));

        Assert.Contains("instructions retired", Monitor(session, "stats"));
        Assert.Contains("EIP", Monitor(session, "info registers").Replace("RIP", "EIP"));
        Assert.Contains("0000000000100000: 90 90", Monitor(session, "phys 0x100000 2"));
        Assert.Contains("unknown monitor command", Monitor(session, "bogus"));
    }

    private static string Monitor(GdbSession session, string command) =>
        Encoding.UTF8.GetString(Convert.FromHexString(session.Handle("qRcmd," + Convert.ToHexString(Encoding.ASCII.GetBytes(command))).Reply!));

    private static string ReadWholeDescription(GdbSession session)
    {
        var xml = new StringBuilder();
        while (true)
        {
            string reply = session.Handle($"qXfer:features:read:target.xml:{xml.Length:x},100").Reply!;
            xml.Append(reply[1..]);
            if (reply[0] == 'l')
            {
                return xml.ToString();
            }
        }
    }

    private static Machine StoppedGuest(out GdbSession session)
    {
        var machine = new Machine(new MachineConfiguration { MemorySize = 16UL << 20 });
        var a = new Assembler(32);
        Label handler = a.CreateLabel();
        for (int i = 0; i < 16; i++)
        {
            a.nop();
        }

        a.hlt();
        a.Label(ref handler);
        a.iretd();
        FlatProtectedModeGuest.Load(machine, a, handler, 14);
        session = new GdbSession(machine, kernelIs64Bit: false);
        return machine;
    }

    private static void EnablePagingWithOnePage(Machine machine)
    {
        // 32-bit paging, identity-mapping the first 4 MiB with one large page (CR4.PSE).
        const ulong directory = 0x3000;
        BitConverter.GetBytes(0x83U).CopyTo(machine.Ram.Span(directory, 4));
        CpuState s = machine.Processor.State;
        s.Cr3 = directory;
        s.Cr4 |= 1UL << 4;
        s.Cr0 |= 1UL << 31;
        machine.Memory.SetPagingControls(s.Cr0, s.Cr4, s.Efer);
        machine.Memory.LoadCr3(directory);
    }
}
