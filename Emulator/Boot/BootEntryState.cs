using System.Buffers.Binary;
using Cpu.State;

namespace Emulator.Boot;

/// <summary>The processor state a loader hands control over in: multiboot's, and the Linux 32-bit boot protocol's.</summary>
public static class BootEntryState
{
    /// <summary>Bytes of the flat GDT both entries use: null, unused, code at 0x10, data at 0x18.</summary>
    public const int GdtSize = 32;

    /// <summary>Writes the flat GDT the entry states load: 0x10 a 32-bit code segment, 0x18 a data segment, both base 0 and limit 4 GiB.</summary>
    public static void WriteFlatGdt(Span<byte> gdt)
    {
        gdt[..GdtSize].Clear();
        BinaryPrimitives.WriteUInt64LittleEndian(gdt[16..], 0x00CF_9B00_0000_FFFFUL); // 0x10: code, D=1
        BinaryPrimitives.WriteUInt64LittleEndian(gdt[24..], 0x00CF_9300_0000_FFFFUL); // 0x18: data
    }

    /// <summary>The multiboot entry state: 32-bit flat segments, PE on, paging off, IF off, EAX/EBX set.</summary>
    public static void Multiboot(CpuState s, BootInfo boot)
    {
        Array.Clear(s.Gpr);
        s.Gpr[0] = MultibootLoader.BootMagic;
        s.Gpr[3] = boot.InfoAddress;
        s.Rip = boot.Entry;
        s.Rflags = 0x2;
        s.Cr0 = 0x11; // PE, ET
        s.Cr2 = 0;
        s.Cr3 = 0;
        s.Cr4 = 0;
        s.Efer = 0;
        s.GdtrBase = boot.GdtAddress;
        s.GdtrLimit = GdtSize - 1;
        s.IdtrBase = 0;
        s.IdtrLimit = 0x3FF;
        for (int i = 0; i < s.Segments.Length; i++)
        {
            bool code = i == SegmentIndex.Cs;
            s.Segments[i] = new SegmentRegister
            {
                Selector = code ? (ushort)0x10 : (ushort)0x18,
                Base = 0,
                Limit = 0xFFFF_FFFF,
                Attributes = code ? (ushort)0xC09B : (ushort)0xC093,
            };
        }

        s.Ldtr = new SegmentRegister { Attributes = 0x82, Limit = 0xFFFF };
        s.Tr = new SegmentRegister { Attributes = 0x8B, Limit = 0xFFFF };
    }

    /// <summary>
    /// The Linux 32-bit boot protocol's entry state: the multiboot state's flat protected mode, with
    /// ESI pointing at the zero page and EAX, EBX, EBP and EDI zero.
    /// </summary>
    public static void Linux(CpuState s, BootInfo boot)
    {
        Multiboot(s, boot);
        s.Gpr[0] = 0;
        s.Gpr[3] = 0;
        s.Gpr[6] = boot.InfoAddress;
    }
}
