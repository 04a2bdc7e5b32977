using System.Buffers.Binary;

namespace Emulator.Tests.Support;

/// <summary>Small multiboot images built in memory, for loader tests that need a specific layout.</summary>
public static class TestImages
{
    /// <summary>An ELF32 kernel linked at 0xC0100000 and loaded at physical 0x100000 (no a.out kludge), with 0x800 bytes of BSS.</summary>
    public static byte[] Elf32HigherHalf()
    {
        var image = new byte[0x1000 + 0x40];
        Span<byte> s = image;
        s[0] = 0x7F;
        s[1] = (byte)'E';
        s[2] = (byte)'L';
        s[3] = (byte)'F';
        s[4] = 1; // ELFCLASS32
        s[5] = 1; // little-endian
        s[6] = 1;
        BinaryPrimitives.WriteUInt16LittleEndian(s[16..], 2); // ET_EXEC
        BinaryPrimitives.WriteUInt16LittleEndian(s[18..], 3); // EM_386
        BinaryPrimitives.WriteUInt32LittleEndian(s[20..], 1);
        BinaryPrimitives.WriteUInt32LittleEndian(s[24..], 0xC010_0010); // entry (virtual)
        BinaryPrimitives.WriteUInt32LittleEndian(s[28..], 52); // phoff
        BinaryPrimitives.WriteUInt16LittleEndian(s[40..], 52);
        BinaryPrimitives.WriteUInt16LittleEndian(s[42..], 32);
        BinaryPrimitives.WriteUInt16LittleEndian(s[44..], 1);
        Span<byte> ph = s[52..];
        BinaryPrimitives.WriteUInt32LittleEndian(ph, 1); // PT_LOAD
        BinaryPrimitives.WriteUInt32LittleEndian(ph[4..], 0x1000);
        BinaryPrimitives.WriteUInt32LittleEndian(ph[8..], 0xC010_0000);
        BinaryPrimitives.WriteUInt32LittleEndian(ph[12..], 0x0010_0000);
        BinaryPrimitives.WriteUInt32LittleEndian(ph[16..], 0x40);
        BinaryPrimitives.WriteUInt32LittleEndian(ph[20..], 0x840);
        WriteHeader(s[0x1000..], 0x0000_0003);
        s[0x1010] = 0xF4; // hlt
        s[0x103F] = 0xAB; // last file byte, to check the copy
        return image;
    }

    /// <summary>A raw binary (not ELF) with the a.out kludge: 0x60 bytes loaded at <paramref name="load"/> (0x200000), BSS to <paramref name="bssEnd"/> (0x203000), entry 0x20 in.</summary>
    public static byte[] PlainAoutKludge(uint load = 0x20_0000, uint bssEnd = 0x20_3000)
    {
        var image = new byte[0x60];
        Span<byte> s = image;
        WriteHeader(s, 0x0001_0003);
        BinaryPrimitives.WriteUInt32LittleEndian(s[12..], load); // header_addr
        BinaryPrimitives.WriteUInt32LittleEndian(s[16..], load); // load_addr
        BinaryPrimitives.WriteUInt32LittleEndian(s[20..], 0); // load_end_addr: the whole file
        BinaryPrimitives.WriteUInt32LittleEndian(s[24..], bssEnd); // bss_end_addr
        BinaryPrimitives.WriteUInt32LittleEndian(s[28..], load + 0x20); // entry
        s[0x20] = 0xF4;
        s[0x5F] = 0xCD;
        return image;
    }

    private static void WriteHeader(Span<byte> at, uint flags)
    {
        BinaryPrimitives.WriteUInt32LittleEndian(at, 0x1BAD_B002);
        BinaryPrimitives.WriteUInt32LittleEndian(at[4..], flags);
        BinaryPrimitives.WriteUInt32LittleEndian(at[8..], unchecked(0u - 0x1BAD_B002 - flags));
    }
}
