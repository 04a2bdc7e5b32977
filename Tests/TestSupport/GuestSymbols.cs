using System.Buffers.Binary;
using System.Text;

namespace TestSupport;

/// <summary>Reads symbol addresses from a guest ELF image's symbol table (ELF32 or ELF64, little-endian).</summary>
public static class GuestSymbols
{
    public static ulong Address(string elfPath, string name) =>
        TryAddress(elfPath, name) ?? throw new InvalidOperationException($"symbol {name} not found in {elfPath}");

    /// <summary>The bytes an ELF image loads at a virtual address (from its PT_LOAD segments).</summary>
    public static byte[] BytesAt(string elfPath, ulong address, int count)
    {
        byte[] f = File.ReadAllBytes(elfPath);
        bool is64 = f[4] == 2;
        ulong phoff = is64 ? BinaryPrimitives.ReadUInt64LittleEndian(f.AsSpan(0x20)) : BinaryPrimitives.ReadUInt32LittleEndian(f.AsSpan(0x1C));
        int phentsize = BinaryPrimitives.ReadUInt16LittleEndian(f.AsSpan(is64 ? 0x36 : 0x2A));
        int phnum = BinaryPrimitives.ReadUInt16LittleEndian(f.AsSpan(is64 ? 0x38 : 0x2C));
        for (int i = 0; i < phnum; i++)
        {
            ReadOnlySpan<byte> ph = f.AsSpan((int)phoff + (i * phentsize));
            ulong offset = is64 ? BinaryPrimitives.ReadUInt64LittleEndian(ph[8..]) : BinaryPrimitives.ReadUInt32LittleEndian(ph[4..]);
            ulong vaddr = is64 ? BinaryPrimitives.ReadUInt64LittleEndian(ph[0x10..]) : BinaryPrimitives.ReadUInt32LittleEndian(ph[8..]);
            ulong filesz = is64 ? BinaryPrimitives.ReadUInt64LittleEndian(ph[0x20..]) : BinaryPrimitives.ReadUInt32LittleEndian(ph[0x10..]);
            if (BinaryPrimitives.ReadUInt32LittleEndian(ph) == 1 && address >= vaddr && address + (ulong)count <= vaddr + filesz)
            {
                return f.AsSpan((int)(offset + (address - vaddr)), count).ToArray();
            }
        }

        throw new InvalidOperationException($"0x{address:x} is not loaded from {elfPath}");
    }

    public static ulong? TryAddress(string elfPath, string name)
    {
        byte[] f = File.ReadAllBytes(elfPath);
        bool is64 = f[4] == 2;
        ulong shoff = is64 ? BinaryPrimitives.ReadUInt64LittleEndian(f.AsSpan(0x28)) : BinaryPrimitives.ReadUInt32LittleEndian(f.AsSpan(0x20));
        int shentsize = BinaryPrimitives.ReadUInt16LittleEndian(f.AsSpan(is64 ? 0x3A : 0x2E));
        int shnum = BinaryPrimitives.ReadUInt16LittleEndian(f.AsSpan(is64 ? 0x3C : 0x30));
        for (int i = 0; i < shnum; i++)
        {
            ReadOnlySpan<byte> sh = f.AsSpan((int)shoff + (i * shentsize));
            if (BinaryPrimitives.ReadUInt32LittleEndian(sh[4..]) != 2)
            {
                continue; // not SHT_SYMTAB
            }

            ulong offset = is64 ? BinaryPrimitives.ReadUInt64LittleEndian(sh[0x18..]) : BinaryPrimitives.ReadUInt32LittleEndian(sh[0x10..]);
            ulong size = is64 ? BinaryPrimitives.ReadUInt64LittleEndian(sh[0x20..]) : BinaryPrimitives.ReadUInt32LittleEndian(sh[0x14..]);
            int link = (int)BinaryPrimitives.ReadUInt32LittleEndian(sh[(is64 ? 0x28 : 0x18)..]);
            ulong entsize = is64 ? BinaryPrimitives.ReadUInt64LittleEndian(sh[0x38..]) : BinaryPrimitives.ReadUInt32LittleEndian(sh[0x24..]);
            ReadOnlySpan<byte> strtabHeader = f.AsSpan((int)shoff + (link * shentsize));
            ulong strtab = is64 ? BinaryPrimitives.ReadUInt64LittleEndian(strtabHeader[0x18..]) : BinaryPrimitives.ReadUInt32LittleEndian(strtabHeader[0x10..]);
            for (ulong s = offset; s < offset + size; s += entsize)
            {
                ReadOnlySpan<byte> sym = f.AsSpan((int)s);
                uint nameOffset = BinaryPrimitives.ReadUInt32LittleEndian(sym);
                int start = (int)(strtab + nameOffset);
                int end = Array.IndexOf(f, (byte)0, start);
                if (Encoding.ASCII.GetString(f, start, end - start) == name)
                {
                    return is64 ? BinaryPrimitives.ReadUInt64LittleEndian(sym[8..]) : BinaryPrimitives.ReadUInt32LittleEndian(sym[4..]);
                }
            }
        }

        return null;
    }
}
