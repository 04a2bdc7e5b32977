using System.Buffers.Binary;
using System.Text;
using Devices.Acpi;
using Emulator.Boot;
using Emulator.Boot.Acpi;
using Emulator.Machines;
using Mmu.Physical;
using TestSupport;

namespace Emulator.Tests.Boot;

/// <summary>The Linux boot protocol loader, on a small bzImage made here (a setup header and 32-bit code).</summary>
public sealed class LinuxLoaderTests : IDisposable
{
    private readonly PhysicalMemory ram = new(64UL * 1024 * 1024);

    public void Dispose() => ram.Dispose();

    /// <summary>
    /// A bzImage with one setup sector whose 32-bit kernel writes the first byte of its command line to
    /// COM1 and then powers off through the ACPI PM1a control register (SLP_TYP 5, SLP_EN).
    /// </summary>
    public static byte[] TinyBzImage(ushort protocol = 0x020F, uint initSize = 0x1_0000)
    {
        byte[] code =
        [
            0x8B, 0x86, 0x28, 0x02, 0x00, 0x00, // mov eax,[esi+228h]  (cmd_line_ptr)
            0x8A, 0x00, // mov al,[eax]
            0x66, 0xBA, 0xF8, 0x03, // mov dx,3F8h
            0xEE, // out dx,al
            0x66, 0xB8, 0x00, 0x34, // mov ax,3400h  (SLP_TYP 5 << 10 | SLP_EN)
            0x66, 0xBA, 0x04, 0x06, // mov dx,604h
            0x66, 0xEF, // out dx,ax
            0xF4, // hlt
        ];
        var image = new byte[1024 + code.Length];
        image[0x1F1] = 1; // setup_sects
        BinaryPrimitives.WriteUInt16LittleEndian(image.AsSpan(0x1FE), 0xAA55);
        image[0x200] = 0xEB;
        image[0x201] = 0x6A; // the setup header ends at 0x202 + 0x6A
        "HdrS"u8.CopyTo(image.AsSpan(0x202));
        BinaryPrimitives.WriteUInt16LittleEndian(image.AsSpan(0x206), protocol);
        image[0x211] = 1; // LOADED_HIGH
        BinaryPrimitives.WriteUInt32LittleEndian(image.AsSpan(0x22C), 0x7FFF_FFFF); // initrd_addr_max
        BinaryPrimitives.WriteUInt32LittleEndian(image.AsSpan(0x238), 2048); // cmdline_size
        BinaryPrimitives.WriteUInt32LittleEndian(image.AsSpan(0x260), initSize);
        code.CopyTo(image, 1024);
        return image;
    }

    [Fact]
    public void RecognisesTheSetupHeader()
    {
        Assert.True(LinuxLoader.IsBzImage(TinyBzImage()));
        Assert.False(LinuxLoader.IsBzImage(new byte[4096]));
    }

    [Fact]
    public void FillsTheZeroPage()
    {
        byte[] initrd = Encoding.ASCII.GetBytes("070701 an initramfs");
        BootInfo boot = LinuxLoader.Load(ram, TinyBzImage(), initrd, "console=ttyS0 quiet");
        Assert.Equal(LinuxLoader.KernelAddress, boot.Entry);
        Assert.Equal(LinuxLoader.BootParamsAddress, boot.InfoAddress);

        Span<byte> zp = ram.Span(LinuxLoader.BootParamsAddress, 4096);
        Assert.Equal("HdrS", Encoding.ASCII.GetString(zp.Slice(0x202, 4)));
        Assert.Equal(0xFF, zp[0x210]); // type_of_loader
        uint cmd = BinaryPrimitives.ReadUInt32LittleEndian(zp[0x228..]);
        Assert.Equal("console=ttyS0 quiet\0", Encoding.ASCII.GetString(ram.Span(cmd, 20)));

        uint initrdAt = BinaryPrimitives.ReadUInt32LittleEndian(zp[0x218..]);
        Assert.Equal((uint)initrd.Length, BinaryPrimitives.ReadUInt32LittleEndian(zp[0x21C..]));
        Assert.Equal(0u, initrdAt % 4096);
        Assert.True(initrdAt + (ulong)initrd.Length <= ram.LowSize);
        Assert.Equal(initrd, ram.Span(initrdAt, initrd.Length).ToArray());

        // The E820 map is sorted, and reserves the ACPI tables, whose RSDP the zero page points at.
        int entries = zp[0x1E8];
        Assert.True(entries >= 5);
        ulong previous = 0;
        bool acpiReserved = false;
        for (int i = 0; i < entries; i++)
        {
            ulong start = BinaryPrimitives.ReadUInt64LittleEndian(zp[(0x2D0 + (20 * i))..]);
            ulong length = BinaryPrimitives.ReadUInt64LittleEndian(zp[(0x2D8 + (20 * i))..]);
            uint type = BinaryPrimitives.ReadUInt32LittleEndian(zp[(0x2E0 + (20 * i))..]);
            Assert.True(start >= previous);
            previous = start + length;
            acpiReserved |= start <= LinuxLoader.AcpiAddress && LinuxLoader.AcpiAddress < start + length && type == 2;
        }

        Assert.True(acpiReserved);
        Assert.Equal(LinuxLoader.AcpiAddress, BinaryPrimitives.ReadUInt64LittleEndian(zp[0x70..]));
        Assert.Equal("RSD PTR ", Encoding.ASCII.GetString(ram.Span(LinuxLoader.AcpiAddress, 8)));
    }

    [Fact]
    public void RefusesWhatItCannotLoad()
    {
        Assert.Contains("too old", Assert.Throws<BootImageException>(() => LinuxLoader.Load(ram, TinyBzImage(protocol: 0x0204), null, string.Empty)).Message);
        Assert.Contains("does not fit", Assert.Throws<BootImageException>(() => LinuxLoader.Load(ram, TinyBzImage(initSize: 0x1000_0000), null, string.Empty)).Message);
        Assert.Contains("command line", Assert.Throws<BootImageException>(() => LinuxLoader.Load(ram, TinyBzImage(), null, new string('x', 5000))).Message);
        byte[] truncated = TinyBzImage()[..600];
        Assert.Contains("truncated", Assert.Throws<BootImageException>(() => LinuxLoader.Load(ram, truncated, null, string.Empty)).Message);
    }

    [Fact]
    public void TheKernelRunsFromItsEntryAndPowersOffThroughAcpi()
    {
        string kernel = Path.Combine(Path.GetTempPath(), $"emu-bzimage-{Environment.ProcessId}-{Guid.NewGuid():N}");
        File.WriteAllBytes(kernel, TinyBzImage());
        try
        {
            using var machine = new Machine(new MachineConfiguration { KernelPath = kernel, CommandLine = "Linux", MemorySize = 64UL << 20 });
            RunResult result = machine.RunUntil(new RunCondition { MaxInstructions = 1000, WallTimeout = TimeSpan.FromSeconds(30) });
            Assert.Equal(StopCause.PowerOff, result.Cause);
            Assert.Equal("L", machine.SerialTranscript);
        }
        finally
        {
            File.Delete(kernel);
        }
    }

    [Fact]
    public void AcpiTablesHaveValidChecksumsAndTheSoftOffPackage()
    {
        byte[] tables = AcpiTables.Build(LinuxLoader.AcpiAddress);
        Assert.Equal(0, Sum(tables.AsSpan(0, 20)));
        Assert.Equal(0, Sum(tables.AsSpan(0, 36)));
        ulong xsdt = BinaryPrimitives.ReadUInt64LittleEndian(tables.AsSpan(24));
        Span<byte> x = Table(tables, xsdt);
        Assert.Equal("XSDT", Encoding.ASCII.GetString(x[..4]));
        var signatures = new List<string>();
        for (int at = AcpiTable.HeaderLength; at < x.Length; at += 8)
        {
            Span<byte> t = Table(tables, BinaryPrimitives.ReadUInt64LittleEndian(x[at..]));
            signatures.Add(Encoding.ASCII.GetString(t[..4]));
            Assert.Equal(0, Sum(t));
            if (signatures[^1] == "FACP")
            {
                Assert.Equal(244, t.Length);
                Assert.Equal(AcpiPm.ControlBlock, BinaryPrimitives.ReadUInt32LittleEndian(t[64..]));
                Span<byte> dsdt = Table(tables, BinaryPrimitives.ReadUInt64LittleEndian(t[140..]));
                Assert.Equal(0, Sum(dsdt));
                byte[] s5 = [0x08, (byte)'_', (byte)'S', (byte)'5', (byte)'_', 0x12];
                Assert.True(dsdt[AcpiTable.HeaderLength..].StartsWith(s5));
                Assert.Equal(AcpiPm.SoftOffSleepType, dsdt[AcpiTable.HeaderLength + 9]);
            }
        }

        Assert.Equal(["FACP", "APIC", "HPET"], signatures);
    }

    [Fact]
    public void EveryTableDisassemblesWithTheAcpiReferenceCompiler()
    {
        // iasl (ACPICA, the ACPI reference implementation Linux also uses) parses each table and the AML.
        string iasl = ExternalTool.Require("iasl", "ACPICA's disassembler checks the generated ACPI tables");
        byte[] tables = AcpiTables.Build(LinuxLoader.AcpiAddress);
        string dir = Directory.CreateTempSubdirectory("emu-acpi-").FullName;
        try
        {
            Span<byte> xsdt = Table(tables, BinaryPrimitives.ReadUInt64LittleEndian(tables.AsSpan(24)));
            Span<byte> fadt = Table(tables, BinaryPrimitives.ReadUInt64LittleEndian(xsdt[AcpiTable.HeaderLength..]));
            var files = new Dictionary<string, byte[]>
            {
                ["xsdt"] = xsdt.ToArray(),
                ["facp"] = fadt.ToArray(),
                ["apic"] = Table(tables, BinaryPrimitives.ReadUInt64LittleEndian(xsdt[(AcpiTable.HeaderLength + 8)..])).ToArray(),
                ["hpet"] = Table(tables, BinaryPrimitives.ReadUInt64LittleEndian(xsdt[(AcpiTable.HeaderLength + 16)..])).ToArray(),
                ["dsdt"] = Table(tables, BinaryPrimitives.ReadUInt64LittleEndian(fadt[140..])).ToArray(),
            };
            foreach ((string name, byte[] data) in files)
            {
                string path = Path.Combine(dir, name + ".dat");
                File.WriteAllBytes(path, data);
                ProcessResult r = ExternalTool.Run(iasl, ["-d", path], TimeSpan.FromMinutes(1));
                Assert.True(r.ExitCode == 0, $"iasl -d {name}: {r.StandardOutput}{r.StandardError}");
            }

            string dsdt = File.ReadAllText(Path.Combine(dir, "dsdt.dsl"));
            Assert.Contains("Name (_S5, Package", dsdt);
            Assert.Contains("Device (PCI0)", dsdt);
            Assert.Contains("EisaId (\"PNP0A03\")", dsdt);
            Assert.Contains("WordBusNumber", dsdt);
            Assert.Contains("0xFEBFFFFF", dsdt);
            Assert.DoesNotContain("Error", File.ReadAllText(Path.Combine(dir, "facp.dsl")));
            Assert.Contains("FED00000", File.ReadAllText(Path.Combine(dir, "hpet.dsl")));
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    private static Span<byte> Table(byte[] tables, ulong address)
    {
        int at = (int)(address - LinuxLoader.AcpiAddress);
        int length = (int)BinaryPrimitives.ReadUInt32LittleEndian(tables.AsSpan(at + 4));
        return tables.AsSpan(at, length);
    }

    private static byte Sum(ReadOnlySpan<byte> b)
    {
        byte s = 0;
        foreach (byte x in b)
        {
            s += x;
        }

        return s;
    }
}
