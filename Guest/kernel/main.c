/* kmain: bring up the CPU tables, memory, interrupts and time, start init, become idle. */
#include "kernel.h"

void kmain(u32 magic, u32 mbi) {
    console_init();
    kprintf("mica: booting\n");
    if (magic != 0x2BADB002)
        panic("not started by a multiboot loader (magic %x)", magic);
    gdt_init();
    fpu_init();
    pmm_init(mbi);
    vmm_init();
    intr_init();
    syscall_init();
    kprintf("mica: %lu KiB free of %lu KiB, initfs %lu bytes, cmdline '%s'\n", frames_free * 4, frames_total * 4,
            initfs_size, cmdline);
    if (!initfs_size)
        panic("no initfs (multiboot module 0)");
    struct proc *init = proc_spawn("init", cmdline, NULL);
    if (!init)
        panic("no init in the initfs");
    grant_all(init);
    /* init serves the initfs: it sees the archive read-only */
    for (u64 off = 0; off < initfs_size + initfs_phys % PAGE; off += PAGE)
        map_page(init->pml4, INITFS_VA + off, (initfs_phys & ~(PAGE - 1)) + off, PTE_U | PTE_NX);
    init->main->prio = 1;
    struct frame *f = (struct frame *)init->main->kstack_top - 1;
    f->rsi = INITFS_VA + initfs_phys % PAGE;
    f->rdx = initfs_size;
    ready(init->main);
    sched_init();
}
