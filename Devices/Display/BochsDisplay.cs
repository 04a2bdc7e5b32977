using Devices.Pci;
using Mmu.Io;

namespace Devices.Display;

/// <summary>
/// QEMU's "-vga std" / Bochs VBE display: PCI 1234:1111 (class 0x0300) with 16 MiB of video memory as a
/// prefetchable BAR0 linear framebuffer, and the DISPI registers at 0x1CE (index) / 0x1CF (data): ID
/// (0xB0C0-0xB0C5), XRES, YRES, BPP, ENABLE (GETCAPS, 8BIT_DAC, LFB, NOCLEARMEM), BANK, VIRT_WIDTH,
/// VIRT_HEIGHT, X/Y_OFFSET and VIDEO_MEMORY_64K. Legacy VGA registers are not modelled.
/// <see cref="Version"/> changes on every framebuffer write, so a window can tell whether to redraw.
/// </summary>
public sealed class BochsDisplay : PciFunction, IPortDevice, IPciBarDevice
{
    public const ushort IndexPort = 0x1CE;
    public const ushort DataPort = 0x1CF;
    public const uint VideoMemorySize = 16 * 1024 * 1024;
    public const uint DefaultFramebufferAddress = 0xFD00_0000;
    public const ushort LatestId = 0xB0C5;
    public const int MaxWidth = 2560;
    public const int MaxHeight = 1600;

    /// <summary>The granule of <see cref="TakeDirtyPages"/>: a 4 KiB page of video memory.</summary>
    public const int DirtyPageSize = 4096;

    private const ushort EnableBit = 0x01;
    private const ushort GetCapsBit = 0x02;
    private const ushort LfbBit = 0x40;
    private const ushort NoClearMemBit = 0x80;

    private byte[]? vram; // allocated on first use: most runs never draw, and 16 MiB of zeroes costs start-up time
    private readonly ushort[] regs = new ushort[11];
    private readonly ulong[] dirtyPages = new ulong[VideoMemorySize / DirtyPageSize / 64];
    private ushort index;
    private long version;

    public BochsDisplay()
        : base(0x1234, 0x1111, 0x03_00_00, revision: 0x02)
    {
        DefineBar(0, VideoMemorySize, 0x8, DefaultFramebufferAddress);
        Reset();
    }

    /// <summary>RESET: the DISPI registers at their power-up values (display disabled, 640x480x32); video memory keeps its contents.</summary>
    public void Reset()
    {
        Array.Clear(regs);
        index = 0;
        regs[0] = LatestId;
        regs[1] = 640;
        regs[2] = 480;
        regs[3] = 32;
        regs[0xA] = (ushort)(VideoMemorySize / 65536);
        Interlocked.Increment(ref version);
    }

    /// <summary>Changes whenever video memory or the mode changes.</summary>
    public long Version => Interlocked.Read(ref version);

    /// <summary>
    /// ORs into <paramref name="pages"/> (one bit per <see cref="DirtyPageSize"/> page of video memory, at least
    /// <c>VideoMemorySize / DirtyPageSize / 64</c> words) the pages written since the last call, and clears them:
    /// a window copies only what changed. Any thread; a write racing with this call is reported now or next time.
    /// </summary>
    public void TakeDirtyPages(Span<ulong> pages)
    {
        for (int i = 0; i < dirtyPages.Length; i++)
        {
            if (Volatile.Read(ref dirtyPages[i]) != 0)
            {
                pages[i] |= Interlocked.Exchange(ref dirtyPages[i], 0);
            }
        }
    }

    /// <summary>The video memory (the BAR0 framebuffer).</summary>
    public ReadOnlySpan<byte> VideoMemory => Vram;

    private byte[] Vram => vram ??= new byte[VideoMemorySize];

    public DisplayMode Mode
    {
        get
        {
            int bpp = regs[3] == 0 ? 8 : regs[3];
            int bytesPerPixel = (bpp + 7) / 8;
            int virtualWidth = Math.Max(regs[6], regs[1]);
            int stride = virtualWidth * bytesPerPixel;
            long offset = ((long)regs[9] * stride) + ((long)regs[8] * bytesPerPixel);
            return new DisplayMode((regs[4] & EnableBit) != 0, regs[1], regs[2], bpp, stride, offset);
        }
    }

    public void RegisterPorts(PortSpace ports) => ports.Register(IndexPort, 2, this);

    /// <summary>The pixel at (x, y) of the visible screen as 0x00RRGGBB (32, 24, 16 and 15 bpp).</summary>
    public uint ReadPixel(int x, int y)
    {
        DisplayMode m = Mode;
        long at = m.Offset + ((long)y * m.Stride) + ((long)x * ((m.BitsPerPixel + 7) / 8));
        if (x < 0 || y < 0 || x >= m.Width || y >= m.Height || at < 0 || at + 4 > VideoMemorySize || vram is null)
        {
            return 0;
        }

        switch (m.BitsPerPixel)
        {
            case 32:
            case 24:
                return (uint)(vram[at] | (vram[at + 1] << 8) | (vram[at + 2] << 16));
            case 16:
                int p16 = vram[at] | (vram[at + 1] << 8);
                return (uint)((((p16 >> 11) & 0x1F) * 255 / 31) << 16 | (((p16 >> 5) & 0x3F) * 255 / 63) << 8 | ((p16 & 0x1F) * 255 / 31));
            case 15:
                int p15 = vram[at] | (vram[at + 1] << 8);
                return (uint)((((p15 >> 10) & 0x1F) * 255 / 31) << 16 | (((p15 >> 5) & 0x1F) * 255 / 31) << 8 | ((p15 & 0x1F) * 255 / 31));
            default:
                return vram[at];
        }
    }

    public uint In(ushort port, int size)
    {
        if (port == IndexPort)
        {
            return index;
        }

        if (index >= regs.Length)
        {
            return 0;
        }

        if ((regs[4] & GetCapsBit) != 0)
        {
            switch (index)
            {
                case 1: return MaxWidth;
                case 2: return MaxHeight;
                case 3: return 32;
            }
        }

        return regs[index];
    }

    public void Out(ushort port, int size, uint value)
    {
        if (port == IndexPort)
        {
            index = (ushort)value;
            return;
        }

        ushort v = (ushort)value;
        switch (index)
        {
            case 0:
                if (v is >= 0xB0C0 and <= LatestId)
                {
                    regs[0] = v;
                }

                break;
            case 1:
            case 2:
            case 3:
                // Geometry changes only while VBE is off.
                if ((regs[4] & EnableBit) == 0)
                {
                    regs[index] = index == 3 && v == 0 ? (ushort)8 : v;
                }

                break;
            case 4:
                WriteEnable(v);
                break;
            case 5:
                regs[5] = (ushort)Math.Min((int)v, (int)(VideoMemorySize / 65536) - 1);
                break;
            case 6:
                if ((regs[4] & EnableBit) != 0 && v >= regs[1])
                {
                    regs[6] = v;
                    regs[7] = (ushort)Math.Min(ushort.MaxValue, VideoMemorySize / (uint)Math.Max(1, v * BytesPerPixel));
                }

                break;
            case 8:
            case 9:
                regs[index] = v;
                break;
        }

        Interlocked.Increment(ref version);
    }

    public ulong ReadBar(int bar, ulong offset, int size)
    {
        ulong v = 0;
        if (vram is null)
        {
            return 0;
        }

        for (int i = 0; i < size && offset + (ulong)i < VideoMemorySize; i++)
        {
            v |= (ulong)vram[offset + (ulong)i] << (8 * i);
        }

        return v;
    }

    public void WriteBar(int bar, ulong offset, int size, ulong value)
    {
        byte[] memory = Vram;
        for (int i = 0; i < size && offset + (ulong)i < VideoMemorySize; i++)
        {
            memory[offset + (ulong)i] = (byte)(value >> (8 * i));
        }

        if (offset < VideoMemorySize)
        {
            MarkDirty(offset);
            MarkDirty(Math.Min(offset + (ulong)size - 1, VideoMemorySize - 1));
        }

        Interlocked.Increment(ref version);
    }

    private void MarkDirty(ulong offset)
    {
        ulong page = offset / DirtyPageSize;
        ref ulong word = ref dirtyPages[page / 64];
        ulong bit = 1UL << (int)(page % 64);
        if ((Volatile.Read(ref word) & bit) == 0)
        {
            Interlocked.Or(ref word, bit);
        }
    }

    private int BytesPerPixel => (Math.Max(8, (int)regs[3]) + 7) / 8;

    private void WriteEnable(ushort v)
    {
        bool wasEnabled = (regs[4] & EnableBit) != 0;
        bool enable = (v & EnableBit) != 0;
        if (enable && !wasEnabled)
        {
            int bpp = regs[3];
            long needed = (long)regs[1] * regs[2] * BytesPerPixel;
            bool valid = bpp is 8 or 15 or 16 or 24 or 32 && regs[1] is > 0 and <= MaxWidth && regs[2] is > 0 and <= MaxHeight && needed <= VideoMemorySize;
            if (!valid)
            {
                // A mode that does not fit is refused: VBE stays off.
                regs[4] = (ushort)(v & ~EnableBit & (GetCapsBit | 0x20 | LfbBit | NoClearMemBit));
                return;
            }

            regs[6] = regs[1];
            regs[7] = (ushort)Math.Min(ushort.MaxValue, VideoMemorySize / (uint)(regs[1] * BytesPerPixel));
            regs[8] = 0;
            regs[9] = 0;
            regs[5] = 0;
            if ((v & NoClearMemBit) == 0 && vram is not null)
            {
                Array.Clear(vram);
                dirtyPages.AsSpan().Fill(ulong.MaxValue);
            }
        }

        regs[4] = (ushort)(v & (EnableBit | GetCapsBit | 0x20 | LfbBit | NoClearMemBit));
    }
}
