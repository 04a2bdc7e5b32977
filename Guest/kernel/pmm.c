/* Physical frames: a free list threaded through the free frames themselves (via PHYSMAP),
 * built from the multiboot memory map minus low memory, the kernel image and module 0. */
#include "kernel.h"

extern char _bss_end[];   /* physical end of the image (a linker symbol, see kernel.ld) */

u64 frames_free, frames_total;
static u64 free_head;
char cmdline[256];
u64 initfs_phys, initfs_size;

static u32 rd32(u64 pa) { return *(u32 *)P2V(pa); }
static u64 rd64(u64 pa) { return *(u64 *)P2V(pa); }

void pmm_init(u32 mbi) {
    u32 flags = rd32(mbi);
    if (flags & (1 << 2))
        strlcpy(cmdline, (const char *)P2V(rd32(mbi + 16)), sizeof cmdline);
    if ((flags & (1 << 3)) && rd32(mbi + 20) > 0) {
        u32 mod = rd32(mbi + 24);
        initfs_phys = rd32(mod);
        initfs_size = rd32(mod + 4) - initfs_phys;
    }
    if (!(flags & (1 << 6)))
        panic("no multiboot memory map");
    /* copy the map first: the free list overwrites free memory, maybe the map itself */
    struct { u64 base, len; } ram[32];
    int n = 0;
    u64 at = rd32(mbi + 48), end = at + rd32(mbi + 44);
    for (; at < end && n < 32; at += rd32(at) + 4)
        if (rd32(at + 20) == 1)
            ram[n].base = rd64(at + 4), ram[n].len = rd64(at + 12), n++;
    u64 kend = (u64)_bss_end, mod_end = (initfs_phys + initfs_size + PAGE - 1) & ~(PAGE - 1);
    for (int i = 0; i < n; i++) {
        for (u64 pa = (ram[i].base + PAGE - 1) & ~(PAGE - 1); pa + PAGE <= ram[i].base + ram[i].len; pa += PAGE) {
            if (pa < 0x100000 || pa < kend || (pa >= initfs_phys && pa < mod_end) || pa >= 0x100000000ul)
                continue;
            frame_free(pa);
            frames_total++;
        }
    }
}

u64 frame_alloc(void) {
    u64 pa = free_head;
    if (!pa)
        return 0;
    free_head = *(u64 *)P2V(pa);
    frames_free--;
    memset(P2V(pa), 0, PAGE);
    return pa;
}

void frame_free(u64 pa) {
    *(u64 *)P2V(pa) = free_head;
    free_head = pa;
    frames_free++;
}

/* Frames freed by a DMA owner are kept in a table, not linked through themselves: a device may
 * still write into them until the next driver resets it. */
static u64 dma_pool[1024];
static u32 dma_count;

u64 dma_frame_alloc(void) {
    if (!dma_count)
        return frame_alloc();
    u64 pa = dma_pool[--dma_count];
    memset(P2V(pa), 0, PAGE);
    return pa;
}

void dma_frame_free(u64 pa) {
    if (dma_count < sizeof dma_pool / sizeof dma_pool[0])
        dma_pool[dma_count++] = pa;
    else
        frame_free(pa);
}
