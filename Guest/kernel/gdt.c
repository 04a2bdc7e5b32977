/* GDT (kernel/user code and data, TSS), IDT, and the TSS I/O permission bitmap (SDM 3, 8.7
 * and 20.5.2): the bitmap in the TSS is the current process's; bits clear = port allowed. */
#include "kernel.h"

struct tss {
    u32 rsvd0;
    u64 rsp[3];
    u64 rsvd1;
    u64 ist[7];
    u64 rsvd2;
    u16 rsvd3, iomap_base;
    u8 iomap[8192 + 1];
} __attribute__((packed, aligned(16)));

/* Selectors: 0x08 kernel code, 0x10 kernel data, 0x18 user data, 0x20 user code, 0x28 TSS.
 * SYSRET wants user data at STAR[63:48] + 8 and user code at + 16 (SDM 2B, SYSRET). */
static u64 gdt[7] = {
    0,
    0x00AF9A000000FFFFul,
    0x00CF92000000FFFFul,
    0x00CFF2000000FFFFul,
    0x00AFFA000000FFFFul,
};
static struct tss tss;
static struct { u64 lo, hi; } idt[256];
struct cpu cpu0;
static struct proc *io_owner;

void gdt_init(void) {
    u64 base = (u64)&tss, limit = sizeof tss - 1;
    gdt[5] = (limit & 0xFFFF) | ((base & 0xFFFFFF) << 16) | (0x89ul << 40) | (((limit >> 16) & 0xF) << 48) |
             (((base >> 24) & 0xFF) << 56);
    gdt[6] = base >> 32;
    tss.iomap_base = offsetof(struct tss, iomap);
    memset(tss.iomap, 0xFF, sizeof tss.iomap);
    struct { u16 limit; u64 base; } __attribute__((packed)) gp = { sizeof gdt - 1, (u64)gdt };
    __asm__ volatile("lgdt %0\n"
                     "mov $0x10, %%eax; mov %%eax, %%ds; mov %%eax, %%es; mov %%eax, %%ss\n"
                     "pushq $0x08; lea 1f(%%rip), %%rax; push %%rax; lretq; 1:\n"
                     "mov $0x28, %%eax; ltr %%ax" ::"m"(gp) : "rax", "memory");
    for (int i = 0; i < 256; i++) {
        u64 h = (u64)isr_stubs + 16 * i;
        idt[i].lo = (h & 0xFFFF) | (0x08ul << 16) | (0x8Eul << 40) | ((h >> 16) << 48);
        idt[i].hi = h >> 32;
    }
    struct { u16 limit; u64 base; } __attribute__((packed)) ip = { sizeof idt - 1, (u64)idt };
    __asm__ volatile("lidt %0" ::"m"(ip));
    wrmsr(0xC0000101, (u64)&cpu0);  /* GS base: per-CPU data while in the kernel */
    wrmsr(0xC0000102, 0);
}

void tss_set_rsp0(u64 rsp0) {
    tss.rsp[0] = rsp0;
    cpu0.kstack_top = rsp0;
}

static void set_ports(struct proc *p, bool allow) {
    for (int i = 0; p && i < p->nio; i++)
        for (u32 port = p->io[i].base, end = p->io[i].base + p->io[i].n; port < end && port < 65536;) {
            u8 bits = (port % 8 == 0 && end - port >= 8) ? 0xFF : 1 << (port % 8);
            if (allow)
                tss.iomap[port / 8] &= ~bits;
            else
                tss.iomap[port / 8] |= bits;
            port += bits == 0xFF ? 8 : 1;
        }
}

/* Called on every switch to a process. A process without ports gets an I/O bitmap offset past
 * the TSS limit: every port faults (SDM 1, 19.5.2) and the bitmap stays as it is. Otherwise
 * only the ranges that change are touched. */
void tss_load_io(struct proc *p) {
    if (p && !p->nio) {
        tss.iomap_base = 0xFFFF;
        return;
    }
    tss.iomap_base = offsetof(struct tss, iomap);
    if (p == io_owner)
        return;
    if (io_owner && io_owner->nio)
        set_ports(io_owner, false);
    io_owner = p;
    set_ports(p, true);
}

void tss_forget_io(struct proc *p) {
    if (io_owner == p)
        tss_load_io(NULL);
}
