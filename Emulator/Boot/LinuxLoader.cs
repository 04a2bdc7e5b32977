using System.Buffers.Binary;
using System.Text;
using Emulator.Boot.Acpi;
using Mmu.Physical;

namespace Emulator.Boot;

/// <summary>
/// Loads a Linux bzImage by the x86 boot protocol (Documentation/arch/x86/boot.rst, protocol 2.06 and
/// later) for its 32-bit entry: the protected-mode kernel at 1 MiB, the zero page (boot_params) with the
/// setup header, the E820 map, the command line, the initrd at the top of low RAM and the ACPI RSDP.
/// The entry state is 32-bit protected mode with flat segments 0x10/0x18, paging and interrupts off, and
/// ESI pointing at the zero page; the ACPI tables describing the machine sit in the BIOS area.
/// </summary>
public static class LinuxLoader
{
    /// <summary>Where the protected-mode kernel goes (the protocol's default code32_start).</summary>
    public const uint KernelAddress = 0x10_0000;

    /// <summary>The zero page (struct boot_params).</summary>
    public const uint BootParamsAddress = 0x1_0000;

    /// <summary>The flat GDT of the 32-bit entry (selectors 0x10 code and 0x18 data, the protocol's __BOOT_CS/__BOOT_DS).</summary>
    public const uint GdtAddress = 0x1_1000;

    /// <summary>The kernel command line.</summary>
    public const uint CommandLineAddress = 0x2_0000;

    /// <summary>The ACPI tables, RSDP first, in the BIOS area where an OS also scans for the RSDP.</summary>
    public const uint AcpiAddress = 0xE_0000;

    /// <summary>Bytes reserved in the memory map for the ACPI tables (up to the BIOS ROM at 0xF0000).</summary>
    public const uint AcpiLength = 0x1_0000;

    private const int SetupHeaderStart = 0x1F1;
    private const uint HeaderSignature = 0x5372_6448; // "HdrS"
    private const ushort MinimumProtocol = 0x0206; // cmdline_size and the 32-bit entry as used here
    private const byte LoadedHigh = 1 << 0;
    private const int E820Max = 128;

    /// <summary>True when <paramref name="image"/> carries a Linux setup header (boot_flag 0xAA55 and "HdrS").</summary>
    public static bool IsBzImage(ReadOnlySpan<byte> image) =>
        image.Length >= 0x206 && U16(image, 0x1FE) == 0xAA55 && U32(image, 0x202) == HeaderSignature;

    /// <summary>Loads <paramref name="image"/> with <paramref name="initrd"/> and <paramref name="commandLine"/>.</summary>
    /// <exception cref="BootImageException">The image is not a loadable bzImage, or it does not fit.</exception>
    public static BootInfo Load(PhysicalMemory ram, byte[] image, byte[]? initrd, string commandLine)
    {
        if (!IsBzImage(image))
        {
            throw new BootImageException("not a Linux bzImage: no setup header signature");
        }

        ushort protocol = U16(image, 0x206);
        if (protocol < MinimumProtocol)
        {
            throw new BootImageException($"Linux boot protocol {protocol >> 8}.{protocol & 0xFF} is too old (emu needs 2.06 or later)");
        }

        byte loadFlags = image[0x211];
        if ((loadFlags & LoadedHigh) == 0)
        {
            throw new BootImageException("not a bzImage: the kernel loads low (zImage), which emu does not support");
        }

        int setupSectors = image[SetupHeaderStart] == 0 ? 4 : image[SetupHeaderStart];
        long kernelOffset = (setupSectors + 1L) * 512;
        if (kernelOffset >= image.Length)
        {
            throw new BootImageException($"truncated bzImage: {setupSectors} setup sectors, but the file has {image.Length} bytes");
        }

        int kernelLength = (int)(image.Length - kernelOffset);
        // The kernel decompresses itself at max(load address, pref_address) and needs init_size bytes
        // there; nothing else may go below the end of that.
        ulong runStart = Math.Max(KernelAddress, BinaryPrimitives.ReadUInt64LittleEndian(image.AsSpan(0x258)));
        ulong kernelEnd = Math.Max(KernelAddress + (ulong)kernelLength, runStart + U32(image, 0x260));
        if (kernelEnd > ram.LowSize)
        {
            throw new BootImageException($"the kernel does not fit in memory: it needs up to 0x{kernelEnd:X}, RAM below the PCI hole ends at 0x{ram.LowSize:X} (try a larger --mem)");
        }

        image.AsSpan((int)kernelOffset, kernelLength).CopyTo(ram.Span(KernelAddress, kernelLength));

        // The zero page: cleared, then the setup header copied from the image (it ends at 0x202 plus the
        // jump's offset byte at 0x201), then the loader's fields.
        Span<byte> zp = ram.Span(BootParamsAddress, 4096);
        zp.Clear();
        int headerEnd = Math.Min(0x202 + image[0x201], Math.Min(image.Length, 4096));
        image.AsSpan(SetupHeaderStart, headerEnd - SetupHeaderStart).CopyTo(zp[SetupHeaderStart..]);
        zp[0x210] = 0xFF; // type_of_loader: undefined
        zp[0x211] = (byte)(loadFlags & ~(1 << 5)); // not quiet: the kernel may print early messages
        BinaryPrimitives.WriteUInt32LittleEndian(zp[0x214..], KernelAddress); // code32_start

        uint maxCommandLine = U32(image, 0x238);
        byte[] cmd = Encoding.ASCII.GetBytes(commandLine);
        if ((uint)cmd.Length >= maxCommandLine)
        {
            throw new BootImageException($"the kernel command line is {cmd.Length} bytes; this kernel accepts at most {maxCommandLine - 1}");
        }

        ram.Span(CommandLineAddress, cmd.Length + 1).Clear();
        cmd.CopyTo(ram.Span(CommandLineAddress, cmd.Length));
        BinaryPrimitives.WriteUInt32LittleEndian(zp[0x228..], CommandLineAddress);

        if (initrd is not null && initrd.Length > 0)
        {
            ulong ceiling = Math.Min((ulong)U32(image, 0x22C) + 1, ram.LowSize);
            ulong at = (ceiling - (ulong)initrd.Length) & ~0xFFFUL;
            if ((ulong)initrd.Length > ceiling || at < kernelEnd)
            {
                throw new BootImageException($"the initrd ({initrd.Length} bytes) does not fit in memory above the kernel (try a larger --mem)");
            }

            initrd.CopyTo(ram.Span(at, initrd.Length));
            BinaryPrimitives.WriteUInt32LittleEndian(zp[0x218..], (uint)at);
            BinaryPrimitives.WriteUInt32LittleEndian(zp[0x21C..], (uint)initrd.Length);
        }

        byte[] acpi = AcpiTables.Build(AcpiAddress);
        acpi.CopyTo(ram.Span(AcpiAddress, acpi.Length));
        BinaryPrimitives.WriteUInt64LittleEndian(zp[0x70..], AcpiAddress); // acpi_rsdp_addr (protocol 2.14)

        IReadOnlyList<(ulong Base, ulong Length, uint Type)> map = MemoryMap(ram);
        zp[0x1E8] = (byte)map.Count;
        for (int i = 0; i < map.Count && i < E820Max; i++)
        {
            Span<byte> e = zp.Slice(0x2D0 + (20 * i), 20);
            BinaryPrimitives.WriteUInt64LittleEndian(e, map[i].Base);
            BinaryPrimitives.WriteUInt64LittleEndian(e[8..], map[i].Length);
            BinaryPrimitives.WriteUInt32LittleEndian(e[16..], map[i].Type);
        }

        BootEntryState.WriteFlatGdt(ram.Span(GdtAddress, BootEntryState.GdtSize));

        return new BootInfo(KernelAddress, BootParamsAddress, KernelAddress, (uint)kernelEnd, [], GdtAddress);
    }

    /// <summary>The E820 map: the PC's map as multiboot reports it, with the ACPI tables' area reserved.</summary>
    public static IReadOnlyList<(ulong Base, ulong Length, uint Type)> MemoryMap(PhysicalMemory ram)
    {
        var map = new List<(ulong Base, ulong Length, uint Type)>(MultibootLoader.MemoryMap(ram))
        {
            (AcpiAddress, AcpiLength, 2),
        };
        map.Sort((a, b) => a.Base.CompareTo(b.Base));
        return map;
    }

    private static uint U32(ReadOnlySpan<byte> b, int at) => BinaryPrimitives.ReadUInt32LittleEndian(b[at..]);

    private static ushort U16(ReadOnlySpan<byte> b, int at) => BinaryPrimitives.ReadUInt16LittleEndian(b[at..]);
}
