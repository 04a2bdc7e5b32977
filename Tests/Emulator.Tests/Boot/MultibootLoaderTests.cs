using System.Buffers.Binary;
using System.Text;
using Emulator.Boot;
using Emulator.Tests.Support;
using Mmu.Physical;
using TestSupport;

namespace Emulator.Tests.Boot;

public sealed class MultibootLoaderTests : IDisposable
{
    private readonly PhysicalMemory ram = new(64UL * 1024 * 1024);

    public void Dispose() => ram.Dispose();

    private uint U32(ulong address) => BinaryPrimitives.ReadUInt32LittleEndian(ram.Span(address, 4));

    private ulong U64(ulong address) => BinaryPrimitives.ReadUInt64LittleEndian(ram.Span(address, 8));

    private string CString(ulong address)
    {
        var bytes = new List<byte>();
        while (ram.Span(address + (ulong)bytes.Count, 1)[0] is byte b && b != 0)
        {
            bytes.Add(b);
        }

        return Encoding.UTF8.GetString([.. bytes]);
    }

    [Fact]
    public void Elf64WithAoutKludgeLoadsByTheHeaderAddresses()
    {
        byte[] hello = File.ReadAllBytes(RepoPaths.GuestImage("tests/hello.elf"));
        BootInfo boot = MultibootLoader.Load(ram, hello, "hello.elf", []);
        Assert.Equal(0x10_0020u, boot.Entry);
        Assert.Equal(0x10_0000u, boot.KernelStart);
        Assert.True(boot.KernelEnd > 0x10_1000u); // includes the 4 KiB stack in BSS
        // The multiboot header sits at the load address: the file bytes were copied from its offset.
        Assert.Equal(MultibootLoader.HeaderMagic, U32(0x10_0000));
    }

    [Fact]
    public void Elf32IsLoadedByProgramHeadersAtPhysicalAddresses()
    {
        BootInfo boot = MultibootLoader.Load(ram, TestImages.Elf32HigherHalf(), "k", []);
        Assert.Equal(0x10_0010u, boot.Entry); // the virtual entry translated to physical
        Assert.Equal(0xF4, ram.Span(0x10_0010, 1)[0]);
        Assert.Equal(0xAB, ram.Span(0x10_003F, 1)[0]);
        Assert.Equal(0x10_0840u, boot.KernelEnd);
    }

    [Fact]
    public void PlainAoutKludgeImageLoadsWithBss()
    {
        ram.Span(0x20_0060, 16).Fill(0x77);
        BootInfo boot = MultibootLoader.Load(ram, TestImages.PlainAoutKludge(), "raw", []);
        Assert.Equal(0x20_0020u, boot.Entry);
        Assert.Equal(0xCD, ram.Span(0x20_005F, 1)[0]);
        Assert.Equal(0, ram.Span(0x20_0060, 1)[0]); // BSS zeroed
        Assert.Equal(0x20_3000u, boot.KernelEnd);
    }

    [Fact]
    public void InformationStructureHasMemoryMapCommandLinesAndModules()
    {
        byte[] a = Encoding.ASCII.GetBytes("first module");
        byte[] b = new byte[5000];
        b[4999] = 0x42;
        BootInfo boot = MultibootLoader.Load(ram, TestImages.PlainAoutKludge(), "raw test=boot", [(a, "a.bin x=1"), (b, "b.bin")]);
        uint mbi = boot.InfoAddress;
        Assert.True(mbi < 0x9_FC00);
        uint flags = U32(mbi);
        Assert.Equal(0x24Du, flags & 0x24D); // mem, cmdline, mods, mmap, loader name
        Assert.Equal(639u, U32(mbi + 4));
        Assert.Equal((64u * 1024) - 1024, U32(mbi + 8));
        Assert.Equal("raw test=boot", CString(U32(mbi + 16)));
        Assert.Equal("emu", CString(U32(mbi + 64)));

        Assert.Equal(2u, U32(mbi + 20));
        uint mods = U32(mbi + 24);
        Assert.Equal(0x20_3000u, U32(mods)); // page-aligned after the kernel's BSS
        Assert.Equal(0x20_3000u + (uint)a.Length, U32(mods + 4));
        Assert.Equal("a.bin x=1", CString(U32(mods + 8)));
        Assert.Equal("first module", Encoding.ASCII.GetString(ram.Span(0x20_3000, a.Length)));
        Assert.Equal(0x20_4000u, U32(mods + 16));
        Assert.Equal(0x20_4000u + 5000, U32(mods + 20));
        Assert.Equal("b.bin", CString(U32(mods + 24)));
        Assert.Equal(0x42, ram.Span(0x20_4000 + 4999, 1)[0]);

        uint mmapLength = U32(mbi + 44);
        uint mmap = U32(mbi + 48);
        var entries = new List<(ulong Base, ulong Length, uint Type)>();
        for (uint at = mmap; at < mmap + mmapLength; at += U32(at) + 4)
        {
            entries.Add((U64(at + 4), U64(at + 12), U32(at + 20)));
        }

        Assert.Contains((0UL, 0x9_FC00UL, 1u), entries);
        Assert.Contains((0x9_FC00UL, 0x400UL, 2u), entries);
        Assert.Contains((0xF_0000UL, 0x1_0000UL, 2u), entries);
        Assert.Contains((0x10_0000UL, (64UL << 20) - 0x10_0000, 1u), entries);
        Assert.DoesNotContain(entries, e => e.Base >= 0x1_0000_0000UL);
    }

    [Fact]
    public void RamAboveThePciHoleIsReportedFrom4GiB()
    {
        using var big = new PhysicalMemory(0xC000_0000UL + (256UL << 20));
        var map = MultibootLoader.MemoryMap(big);
        Assert.Contains((0x10_0000UL, 0xC000_0000UL - 0x10_0000, 1u), map);
        Assert.Contains((0x1_0000_0000UL, 256UL << 20, 1u), map);
    }

    [Fact]
    public void ModuleListSyntaxFollowsQemu()
    {
        IReadOnlyList<MultibootModule> m = MultibootModule.ParseList("initfs.tar,drv.elf arg=1,,2");
        Assert.Equal(2, m.Count);
        Assert.Equal(new MultibootModule("initfs.tar", "initfs.tar"), m[0]);
        Assert.Equal(new MultibootModule("drv.elf", "drv.elf arg=1,2"), m[1]);
    }

    [Fact]
    public void NotMultibootIsRefused()
    {
        var e = Assert.Throws<BootImageException>(() => MultibootLoader.Load(ram, Encoding.ASCII.GetBytes("#!/bin/sh\necho hi\n"), "x", []));
        Assert.Contains("not a multiboot image", e.Message);
    }

    [Fact]
    public void TruncatedImageIsRefused()
    {
        byte[] hello = File.ReadAllBytes(RepoPaths.GuestImage("tests/hello.elf"));
        int header = FindMultibootHeader(hello);
        byte[] truncated = hello[..(header + 0x30)]; // the header is whole, the image it describes is not
        var e = Assert.Throws<BootImageException>(() => MultibootLoader.Load(ram, truncated, "x", []));
        Assert.Contains("truncated", e.Message);

        byte[] elf = TestImages.Elf32HigherHalf();
        var e2 = Assert.Throws<BootImageException>(() => MultibootLoader.Load(ram, elf[..0x1020], "x", []));
        Assert.Contains("truncated ELF", e2.Message);
    }

    private static int FindMultibootHeader(byte[] image)
    {
        for (int i = 0; i + 4 <= Math.Min(image.Length, 8192); i += 4)
        {
            if (BitConverter.ToUInt32(image, i) == 0x1BADB002)
            {
                return i;
            }
        }

        throw new InvalidDataException("hello.elf has no multiboot header");
    }

    [Fact]
    public void KernelThatDoesNotFitIsRefused()
    {
        using var small = new PhysicalMemory(2UL * 1024 * 1024);
        byte[] image = TestImages.PlainAoutKludge(); // loads at 2 MiB: beyond a 2 MiB machine
        var e = Assert.Throws<BootImageException>(() => MultibootLoader.Load(small, image, "x", []));
        Assert.Contains("does not fit in memory", e.Message);
    }

    [Theory]
    [InlineData(0x1000u, 0x9_FC00u)] // all of conventional memory
    [InlineData(0x9000u, 0x2_0000u)] // where the boot information used to go
    [InlineData(0x8000u, 0x1_0000u)]
    public void AnImageMayLoadAnywhereInRamAndTheBootInformationGoesElsewhere(uint load, uint bssEnd)
    {
        BootInfo boot = MultibootLoader.Load(ram, TestImages.PlainAoutKludge(load, bssEnd), "low", [(new byte[3000], "m")]);

        Assert.Equal(load + 0x20, boot.Entry);
        Assert.Equal(0xCD, ram.Span(load + 0x5F, 1)[0]); // the image arrived whole
        foreach (ulong structure in new ulong[] { boot.InfoAddress, boot.GdtAddress, U32(boot.InfoAddress + 16), U32(boot.InfoAddress + 48) })
        {
            Assert.False(structure >= load && structure < bssEnd, $"0x{structure:X} lies in the image 0x{load:X}-0x{bssEnd:X}");
            Assert.False(structure >= boot.Modules[0].Start && structure < boot.Modules[0].End, $"0x{structure:X} lies in the module");
        }

        Assert.Equal("low", CString(U32(boot.InfoAddress + 16)));
    }

    [Theory]
    [InlineData(0x0u)] // page 0: the real-mode interrupt vectors
    [InlineData(0xA_0000u)] // the legacy video window, not RAM
    public void AnImageOutsideRamIsRefused(uint load)
    {
        var e = Assert.Throws<BootImageException>(() => MultibootLoader.Load(ram, TestImages.PlainAoutKludge(load, load + 0x1000), "k", []));
        Assert.Contains("not RAM", e.Message);
    }
}
