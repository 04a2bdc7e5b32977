using System.Buffers.Binary;
using Devices.Acpi;
using Devices.Apic;
using Devices.Hpet;
using Devices.Pci;

namespace Emulator.Boot.Acpi;

/// <summary>
/// The ACPI tables that describe emu's PC to an operating system (ACPI 6.5 chapter 5): RSDP, XSDT and
/// RSDT, FADT (pointing at <see cref="AcpiPm"/>'s registers), FACS, a DSDT holding the \_S5 sleep
/// package (so the OS can power off), and the MADT (one local APIC, the IOAPIC, the ISA overrides as
/// QEMU's pc machine reports them). Built for a fixed physical base; the RSDP comes first.
/// </summary>
public static class AcpiTables
{
    /// <summary>Revision of the FADT built here (ACPI 2.0 layout, 244 bytes, with the X_ fields).</summary>
    public const byte FadtRevision = 3;

    /// <summary>Builds the tables to sit at <paramref name="baseAddress"/>; the RSDP is at that address.</summary>
    public static byte[] Build(uint baseAddress)
    {
        var image = new List<byte>();
        uint Place(byte[] table, int align)
        {
            while (image.Count % align != 0)
            {
                image.Add(0);
            }

            uint at = baseAddress + (uint)image.Count;
            image.AddRange(table);
            return at;
        }

        // Reserve the RSDP's 36 bytes at the base; it is written last, once the XSDT's address is known.
        image.AddRange(new byte[36]);

        uint facs = Place(Facs(), 64);
        uint dsdt = Place(Dsdt(), 16);
        uint fadt = Place(Fadt(facs, dsdt), 16);
        uint madt = Place(Madt(), 16);
        uint hpet = Place(HpetTable(), 16);
        uint[] tables = [fadt, madt, hpet];

        var rsdt = new AcpiTable("RSDT", 1);
        var xsdt = new AcpiTable("XSDT", 1);
        foreach (uint t in tables)
        {
            rsdt.U32(t);
            xsdt.U64(t);
        }

        uint rsdtAt = Place(rsdt.ToArray(), 16);
        uint xsdtAt = Place(xsdt.ToArray(), 16);

        byte[] result = [.. image];
        Rsdp(rsdtAt, xsdtAt).CopyTo(result, 0);
        return result;
    }

    /// <summary>Root System Description Pointer, revision 2 (section 5.2.5).</summary>
    private static byte[] Rsdp(uint rsdt, uint xsdt)
    {
        var r = new byte[36];
        "RSD PTR "u8.CopyTo(r);
        AcpiTable.OemId.Select(c => (byte)c).ToArray().CopyTo(r, 9);
        r[15] = 2; // revision: ACPI 2.0+
        BinaryPrimitives.WriteUInt32LittleEndian(r.AsSpan(16), rsdt);
        BinaryPrimitives.WriteUInt32LittleEndian(r.AsSpan(20), 36);
        BinaryPrimitives.WriteUInt64LittleEndian(r.AsSpan(24), xsdt);
        r[8] = AcpiTable.Checksum(r.AsSpan(0, 20));
        r[32] = AcpiTable.Checksum(r);
        return r;
    }

    /// <summary>Firmware ACPI Control Structure (section 5.2.10): no waking vector, no global lock owner.</summary>
    private static byte[] Facs()
    {
        var f = new byte[64];
        "FACS"u8.CopyTo(f);
        BinaryPrimitives.WriteUInt32LittleEndian(f.AsSpan(4), 64);
        f[32] = 2; // version
        return f;
    }

    /// <summary>
    /// The DSDT: <c>\_S5</c> (the soft-off SLP_TYP, so the OS can power off) and the PCI root bridge
    /// <c>\_SB.PCI0</c> (PNP0A03) with the windows it decodes: bus 0-255, the configuration ports, all other
    /// I/O ports, the legacy VGA hole and the PCI memory hole where BARs live.
    /// </summary>
    private static byte[] Dsdt()
    {
        byte[] s5 = Aml.NameObject("_S5", Aml.Package(
            Aml.Integer(AcpiPm.SoftOffSleepType), Aml.Integer(AcpiPm.SoftOffSleepType), Aml.Integer(0), Aml.Integer(0)));
        byte[] crs = Aml.ResourceTemplate(
            Aml.WordSpace(2, 0x00, 0xFF),
            Aml.IoPorts(PciBus.AddressPort, 8),
            Aml.WordSpace(1, 0x0000, PciBus.AddressPort - 1),
            Aml.WordSpace(1, PciBus.DataPort + 4, 0xFFFF),
            Aml.DWordMemory(0xA_0000, 0xB_FFFF, cacheable: true),
            Aml.DWordMemory((uint)PciMemoryWindow.Start, (uint)(PciMemoryWindow.Start + PciMemoryWindow.Length - 1), cacheable: false));
        byte[] pci = Aml.Scope("\\_SB", Aml.Device("PCI0",
            Aml.NameObject("_HID", Aml.EisaId("PNP0A03")),
            Aml.NameObject("_ADR", Aml.Integer(0)),
            Aml.NameObject("_UID", Aml.Integer(0)),
            Aml.NameObject("_CRS", crs)));
        return new AcpiTable("DSDT", 2).Bytes(s5).Bytes(pci).ToArray();
    }

    /// <summary>Fixed ACPI Description Table (section 5.2.9), revision 3.</summary>
    private static byte[] Fadt(uint facs, uint dsdt)
    {
        const uint flags = (1 << 0) // WBINVD works
            | (1 << 2) // C1 supported
            | (1 << 4) // no fixed power button
            | (1 << 5) // no fixed sleep button
            | (1 << 8) // 32-bit PM timer
            | (1 << 10); // RESET_REG supported
        const ushort bootArch = (1 << 0) | (1 << 1); // legacy ISA devices; an 8042
        var t = new AcpiTable("FACP", FadtRevision);
        t.U32(facs).U32(dsdt);
        t.U8(0).U8(0); // reserved; preferred PM profile: unspecified
        t.U16(AcpiPm.SciIrq);
        t.U32(0).U8(0).U8(0).U8(0).U8(0); // no SMI command port: always in ACPI mode
        t.U32(AcpiPm.EventBlock).U32(0).U32(AcpiPm.ControlBlock).U32(0).U32(0).U32(AcpiPm.TimerBlock);
        t.U32(0).U32(0); // no GPE blocks
        t.U8(AcpiPm.EventBlockLength).U8(AcpiPm.ControlBlockLength).U8(0).U8(AcpiPm.TimerBlockLength);
        t.U8(0).U8(0).U8(0).U8(0); // GPE lengths and base, CST_CNT
        t.U16(101).U16(1001); // C2 and C3 latencies above their limits: not supported
        t.U16(0).U16(0).U8(0).U8(0);
        t.U8(0).U8(0).U8(0x32); // RTC day and month alarm: none; century in CMOS register 0x32
        t.U16(bootArch).U8(0).U32(flags);
        t.IoAddress(PciBus.ResetControlPort, 1).U8(PciBus.ResetControlValue);
        t.PadTo(132);
        t.U64(facs).U64(dsdt);
        t.IoAddress(AcpiPm.EventBlock, AcpiPm.EventBlockLength).IoAddress(0, 0);
        t.IoAddress(AcpiPm.ControlBlock, AcpiPm.ControlBlockLength).IoAddress(0, 0);
        t.IoAddress(0, 0).IoAddress(AcpiPm.TimerBlock, AcpiPm.TimerBlockLength);
        t.IoAddress(0, 0).IoAddress(0, 0);
        return t.ToArray();
    }

    /// <summary>The IA-PC HPET description table (HPET specification 1.0a, section 3.2.4).</summary>
    private static byte[] HpetTable()
    {
        uint blockId = 1 | ((uint)(Hpet.TimerCount - 1) << 8) | (1 << 13) | (1 << 15) | (0x8086u << 16);
        var t = new AcpiTable("HPET", 1);
        t.U32(blockId);
        t.U8(0).U8(64).U8(0).U8(0).U64(Hpet.DefaultBase); // system memory, 64-bit registers
        t.U8(0); // HPET number
        t.U16(0); // minimum periodic tick: no restriction
        t.U8(0); // no page protection
        return t.ToArray();
    }

    /// <summary>Multiple APIC Description Table (section 5.2.12).</summary>
    private static byte[] Madt()
    {
        var t = new AcpiTable("APIC", 3);
        t.U32((uint)LocalApic.DefaultBase).U32(1); // PCAT_COMPAT: there are 8259s too
        t.U8(0).U8(8).U8(0).U8(0).U32(1); // processor local APIC: UID 0, APIC ID 0, enabled
        t.U8(1).U8(12).U8(0).U8(0).U32((uint)IoApic.DefaultBase).U32(0); // IOAPIC 0 at GSI 0

        // ISA overrides as on QEMU's pc: the PIT's IRQ 0 is pin 2; the SCI is level, active high.
        t.U8(2).U8(10).U8(0).U8(0).U32(2).U16(0);
        t.U8(2).U8(10).U8(0).U8(AcpiPm.SciIrq).U32(AcpiPm.SciIrq).U16(0x000D);

        t.U8(4).U8(6).U8(0xFF).U16(0).U8(1); // LINT1 of every processor is NMI
        return t.ToArray();
    }
}
