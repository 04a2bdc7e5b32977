using System.Buffers.Binary;
using System.Text;
using Mmu.Physical;

namespace Emulator.Boot;

/// <summary>
/// Loads a multiboot1 kernel the way QEMU's -kernel does: an ELF32 image by its program headers, or any
/// image (ELF64 included) whose header sets the a.out kludge (flags bit 16) by the header's load
/// addresses. Modules go page-aligned after the kernel; the information structure (memory sizes, memory
/// map with the PC holes, command lines, module list, loader name) and a flat GDT go in low memory
/// from <see cref="BootAreaStart"/>. The kernel's command line is "path args", as QEMU builds it.
/// </summary>
public static class MultibootLoader
{
    public const uint HeaderMagic = 0x1BAD_B002;
    public const uint BootMagic = 0x2BAD_B002;
    /// <summary>Where the boot information goes when the image leaves it free (it may go elsewhere: <see cref="PlaceBootArea"/>).</summary>
    public const uint BootAreaStart = 0x9000;

    /// <summary>The end of conventional memory (the EBDA follows).</summary>
    public const uint BootAreaEnd = 0x9_FC00;

    /// <summary>The lowest address an image may load at: page 0 holds the real-mode interrupt vectors.</summary>
    public const uint LowestLoadAddress = 0x1000;
    public const uint SearchLength = 8192;

    /// <summary>The multiboot information structure's size (through the VBE fields).</summary>
    private const uint InfoSize = 120;

    private const uint FlagPageAlign = 1 << 0;
    private const uint FlagMemoryInfo = 1 << 1;
    private const uint FlagVideoMode = 1 << 2;
    private const uint FlagAoutKludge = 1 << 16;

    /// <summary>Loads <paramref name="kernel"/> and its modules into <paramref name="ram"/>.</summary>
    /// <exception cref="BootImageException">The image is not multiboot, is truncated, or does not fit.</exception>
    public static BootInfo Load(PhysicalMemory ram, byte[] kernel, string kernelCommandLine, IReadOnlyList<(byte[] Data, string CommandLine)> modules)
    {
        int header = FindHeader(kernel);
        uint flags = U32(kernel, header + 4);
        if ((flags & 0xFFF8) != 0)
        {
            throw new BootImageException($"the kernel asks for multiboot features emu does not support (flags 0x{flags:X8})");
        }

        var segments = new List<(uint Address, int FileOffset, uint FileSize, uint MemorySize)>();
        uint entry;
        if ((flags & FlagAoutKludge) != 0)
        {
            entry = LoadAoutKludge(kernel, header, segments);
        }
        else
        {
            entry = LoadElf32(kernel, segments);
        }

        uint kernelStart = uint.MaxValue;
        uint kernelEnd = 0;
        foreach ((uint address, int _, uint _, uint memSize) in segments)
        {
            kernelStart = Math.Min(kernelStart, address);
            kernelEnd = (uint)Math.Max(kernelEnd, (ulong)address + memSize);
        }

        if (segments.Count == 0)
        {
            throw new BootImageException("not a bootable multiboot image: it has nothing to load");
        }

        foreach ((uint address, int fileOffset, uint fileSize, uint memSize) in segments)
        {
            CheckFits(ram, address, memSize, "the kernel");
            CheckInRam(address, memSize, "the kernel");
            kernel.AsSpan(fileOffset, (int)fileSize).CopyTo(ram.Span(address, (int)fileSize));
            Clear(ram, (ulong)address + fileSize, memSize - fileSize);
        }

        // Modules, page-aligned after the kernel.
        var placed = new List<(uint Start, uint End)>();
        ulong next = AlignUp(kernelEnd, 4096);
        foreach ((byte[] data, string _) in modules)
        {
            if (next < 0x10_0000 && next + (ulong)data.Length > BootAreaEnd)
            {
                next = AlignUp(Math.Max(0x10_0000, kernelEnd), 4096); // a low kernel: the module goes above the hole
            }

            CheckFits(ram, next, (ulong)data.Length, "the modules");
            data.CopyTo(ram.Span(next, data.Length));
            placed.Add(((uint)next, (uint)(next + (ulong)data.Length)));
            next = AlignUp(next + (ulong)data.Length, 4096);
        }

        var occupied = new List<(ulong Start, ulong End)>();
        occupied.AddRange(segments.Select(s => ((ulong)s.Address, (ulong)s.Address + s.MemorySize)));
        occupied.AddRange(placed.Select(p => ((ulong)p.Start, (ulong)p.End)));
        var map = MemoryMap(ram);
        uint needed = BootInformationSize(kernelCommandLine, modules, map.Count);
        var area = new BootArea(ram, PlaceBootArea(ram, occupied, needed), needed);
        uint gdt = area.Allocate(BootEntryState.GdtSize, 8);
        BootEntryState.WriteFlatGdt(ram.Span(gdt, BootEntryState.GdtSize));

        uint info = area.Allocate(InfoSize, 8);
        uint cmdline = area.String(kernelCommandLine);
        uint loaderName = area.String("emu");
        uint modList = area.Allocate((uint)Math.Max(16, 16 * modules.Count), 8);
        for (int i = 0; i < modules.Count; i++)
        {
            Span<byte> m = ram.Span(modList + (uint)(16 * i), 16);
            BinaryPrimitives.WriteUInt32LittleEndian(m, placed[i].Start);
            BinaryPrimitives.WriteUInt32LittleEndian(m[4..], placed[i].End);
            BinaryPrimitives.WriteUInt32LittleEndian(m[8..], area.String(modules[i].CommandLine));
            BinaryPrimitives.WriteUInt32LittleEndian(m[12..], 0);
        }

        uint mmap = area.Allocate((uint)(24 * map.Count), 8);
        for (int i = 0; i < map.Count; i++)
        {
            Span<byte> e = ram.Span(mmap + (uint)(24 * i), 24);
            BinaryPrimitives.WriteUInt32LittleEndian(e, 20);
            BinaryPrimitives.WriteUInt64LittleEndian(e[4..], map[i].Base);
            BinaryPrimitives.WriteUInt64LittleEndian(e[12..], map[i].Length);
            BinaryPrimitives.WriteUInt32LittleEndian(e[20..], map[i].Type);
        }

        Span<byte> mbi = ram.Span(info, (int)InfoSize);
        mbi.Clear();
        uint infoFlags = (1 << 0) | (1 << 2) | (1 << 3) | (1 << 6) | (1 << 9);
        BinaryPrimitives.WriteUInt32LittleEndian(mbi, infoFlags);
        BinaryPrimitives.WriteUInt32LittleEndian(mbi[4..], 0x9_FC00 / 1024);
        BinaryPrimitives.WriteUInt32LittleEndian(mbi[8..], (uint)((ram.LowSize - 0x10_0000) / 1024));
        BinaryPrimitives.WriteUInt32LittleEndian(mbi[16..], cmdline);
        BinaryPrimitives.WriteUInt32LittleEndian(mbi[20..], (uint)modules.Count);
        BinaryPrimitives.WriteUInt32LittleEndian(mbi[24..], modList);
        BinaryPrimitives.WriteUInt32LittleEndian(mbi[44..], (uint)(24 * map.Count));
        BinaryPrimitives.WriteUInt32LittleEndian(mbi[48..], mmap);
        BinaryPrimitives.WriteUInt32LittleEndian(mbi[64..], loaderName);

        return new BootInfo(entry, info, kernelStart, kernelEnd, placed, gdt);
    }

    /// <summary>The memory map the loader reports: RAM and the PC's reserved holes.</summary>
    public static IReadOnlyList<(ulong Base, ulong Length, uint Type)> MemoryMap(PhysicalMemory ram)
    {
        var map = new List<(ulong, ulong, uint)>
        {
            (0, 0x9_FC00, 1),
            (0x9_FC00, 0x400, 2),
            (0xF_0000, 0x1_0000, 2),
        };
        if (ram.LowSize > 0x10_0000)
        {
            map.Add((0x10_0000, ram.LowSize - 0x10_0000, 1));
        }

        map.Add((0xFFFC_0000, 0x4_0000, 2)); // the BIOS ROM below 4 GiB, as QEMU reports it
        if (ram.HighSize > 0)
        {
            map.Add((PhysicalMemory.HighRamStart, ram.HighSize, 1));
        }

        return map;
    }

    private static int FindHeader(byte[] image)
    {
        int limit = (int)Math.Min(image.Length - 12, SearchLength - 12);
        for (int at = 0; at <= limit; at += 4)
        {
            if (U32(image, at) == HeaderMagic && HeaderMagic + U32(image, at + 4) + U32(image, at + 8) == 0)
            {
                return at;
            }
        }

        throw new BootImageException("not a multiboot image: no multiboot header in its first 8 KiB");
    }

    private static uint LoadAoutKludge(byte[] image, int header, List<(uint, int, uint, uint)> segments)
    {
        if (header + 32 > image.Length)
        {
            throw new BootImageException("truncated multiboot header");
        }

        uint headerAddr = U32(image, header + 12);
        uint loadAddr = U32(image, header + 16);
        uint loadEndAddr = U32(image, header + 20);
        uint bssEndAddr = U32(image, header + 24);
        uint entry = U32(image, header + 28);
        if (headerAddr < loadAddr || headerAddr - loadAddr > (uint)header)
        {
            throw new BootImageException($"bad multiboot header: header_addr 0x{headerAddr:X} is not inside the loaded image");
        }

        int fileOffset = header - (int)(headerAddr - loadAddr);
        uint fileSize = loadEndAddr == 0 ? (uint)(image.Length - fileOffset) : loadEndAddr - loadAddr;
        if (loadEndAddr != 0 && loadEndAddr < loadAddr)
        {
            throw new BootImageException("bad multiboot header: load_end_addr is below load_addr");
        }

        if ((ulong)fileOffset + fileSize > (ulong)image.Length)
        {
            throw new BootImageException($"truncated kernel image: the multiboot header asks for {fileSize} bytes from offset {fileOffset}, the file has {image.Length}");
        }

        uint memSize = fileSize;
        if (bssEndAddr != 0)
        {
            if (bssEndAddr < loadAddr + fileSize)
            {
                throw new BootImageException("bad multiboot header: bss_end_addr is below the end of the loaded image");
            }

            memSize = bssEndAddr - loadAddr;
        }

        segments.Add((loadAddr, fileOffset, fileSize, memSize));
        return entry;
    }

    private static uint LoadElf32(byte[] image, List<(uint, int, uint, uint)> segments)
    {
        if (image.Length < 52 || image[0] != 0x7F || image[1] != (byte)'E' || image[2] != (byte)'L' || image[3] != (byte)'F')
        {
            throw new BootImageException("not a bootable multiboot image: not ELF and no a.out kludge (flags bit 16)");
        }

        if (image[4] == 2)
        {
            throw new BootImageException("ELF64 kernels need the multiboot a.out kludge (flags bit 16), as on QEMU");
        }

        if (image[4] != 1 || image[5] != 1)
        {
            throw new BootImageException("not a bootable multiboot image: not a little-endian ELF32 file");
        }

        uint entry = U32(image, 24);
        uint phoff = U32(image, 28);
        int phentsize = U16(image, 42);
        int phnum = U16(image, 44);
        if (phentsize < 32 || (ulong)phoff + ((ulong)phentsize * (ulong)phnum) > (ulong)image.Length)
        {
            throw new BootImageException("truncated ELF: the program headers lie beyond the end of the file");
        }

        uint? physicalEntry = null;
        for (int i = 0; i < phnum; i++)
        {
            int ph = (int)phoff + (i * phentsize);
            if (U32(image, ph) != 1)
            {
                continue; // not PT_LOAD
            }

            uint offset = U32(image, ph + 4);
            uint vaddr = U32(image, ph + 8);
            uint paddr = U32(image, ph + 12);
            uint fileSize = U32(image, ph + 16);
            uint memSize = U32(image, ph + 20);
            if (memSize == 0)
            {
                continue;
            }

            if ((ulong)offset + fileSize > (ulong)image.Length)
            {
                throw new BootImageException($"truncated ELF: segment {i} needs bytes up to {(ulong)offset + fileSize}, the file has {image.Length}");
            }

            if (fileSize > memSize)
            {
                throw new BootImageException($"bad ELF: segment {i} has more file bytes than memory bytes");
            }

            segments.Add((paddr, (int)offset, fileSize, memSize));
            if (entry >= vaddr && entry - vaddr < memSize)
            {
                // The entry point is virtual; enter at its physical address, as QEMU does.
                physicalEntry = paddr + (entry - vaddr);
            }
        }

        return physicalEntry ?? entry;
    }

    private static void CheckFits(PhysicalMemory ram, ulong address, ulong length, string what)
    {
        if (address + length > ram.LowSize)
        {
            throw new BootImageException($"{what} do{(what.EndsWith('s') ? string.Empty : "es")} not fit in memory: needs up to 0x{address + length:X}, RAM below the PCI hole ends at 0x{ram.LowSize:X} (try a larger --mem)");
        }
    }

    /// <summary>An image may load anywhere the memory map calls RAM, from <see cref="LowestLoadAddress"/> up.</summary>
    private static void CheckInRam(ulong address, ulong length, string what)
    {
        ulong end = address + length;
        bool conventional = address >= LowestLoadAddress && end <= BootAreaEnd;
        bool extended = address >= 0x10_0000;
        if (length > 0 && !conventional && !extended)
        {
            throw new BootImageException($"{what} loads at 0x{address:X}-0x{end:X}, which is not RAM in the memory map (RAM is 0x{LowestLoadAddress:X}-0x{BootAreaEnd:X} and from 0x100000)");
        }
    }

    /// <summary>An upper bound of the bytes the boot information takes (each allocation plus its alignment).</summary>
    private static uint BootInformationSize(string commandLine, IReadOnlyList<(byte[] Data, string CommandLine)> modules, int mapEntries)
    {
        ulong size = BootEntryState.GdtSize + 8 + InfoSize + 8 + (ulong)Encoding.UTF8.GetByteCount(commandLine) + 1 + 4
            + (ulong)Math.Max(16, 16 * modules.Count) + 8 + (ulong)(24 * mapEntries) + 8;
        foreach ((byte[] _, string line) in modules)
        {
            size += (ulong)Encoding.UTF8.GetByteCount(line) + 1;
        }

        return size > BootAreaEnd ? throw new BootImageException("the command lines and module list are too large for the boot information") : (uint)size;
    }

    /// <summary>
    /// Where the boot information goes: at <see cref="BootAreaStart"/> when the image leaves that free, else the
    /// first place in RAM (conventional memory from <see cref="LowestLoadAddress"/>, then memory from 1 MiB) that
    /// neither the kernel nor a module occupies, so the image may load anywhere in RAM.
    /// </summary>
    private static uint PlaceBootArea(PhysicalMemory ram, List<(ulong Start, ulong End)> occupied, uint size)
    {
        var candidates = new List<ulong> { BootAreaStart, LowestLoadAddress, 0x10_0000 };
        candidates.AddRange(occupied.Select(o => AlignUp(o.End, 16)));
        foreach (ulong start in candidates)
        {
            ulong end = start + size;
            bool inRam = (start >= LowestLoadAddress && end <= BootAreaEnd) || (start >= 0x10_0000 && end <= ram.LowSize);
            if (inRam && !occupied.Any(o => start < o.End && end > o.Start))
            {
                return (uint)start;
            }
        }

        throw new BootImageException("the kernel and modules leave no room in RAM for the boot information");
    }

    /// <summary>Zeroes a range of RAM (the bss), which may be larger than one span can be (2 GiB).</summary>
    private static void Clear(PhysicalMemory ram, ulong address, ulong length)
    {
        while (length > 0)
        {
            int chunk = (int)Math.Min(length, 1UL << 30);
            ram.Span(address, chunk).Clear();
            address += (ulong)chunk;
            length -= (ulong)chunk;
        }
    }

    private static ulong AlignUp(ulong v, ulong a) => (v + a - 1) & ~(a - 1);

    private static uint U32(byte[] b, int at) => BinaryPrimitives.ReadUInt32LittleEndian(b.AsSpan(at));

    private static ushort U16(byte[] b, int at) => BinaryPrimitives.ReadUInt16LittleEndian(b.AsSpan(at));

    /// <summary>A bump allocator over the boot information's area: <paramref name="length"/> bytes from <paramref name="start"/>.</summary>
    private sealed class BootArea(PhysicalMemory ram, uint start, uint length)
    {
        private readonly uint end = start + length;
        private uint next = start;

        public uint Allocate(uint size, uint align)
        {
            uint at = (uint)AlignUp(next, align);
            if (at + size > end)
            {
                throw new InvalidOperationException("the boot information outgrew the size computed for it");
            }

            next = at + size;
            ram.Span(at, (int)size).Clear();
            return at;
        }

        public uint String(string s)
        {
            byte[] bytes = Encoding.UTF8.GetBytes(s);
            uint at = Allocate((uint)bytes.Length + 1, 1);
            bytes.CopyTo(ram.Span(at, bytes.Length));
            return at;
        }
    }
}
