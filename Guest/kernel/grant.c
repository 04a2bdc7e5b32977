/* Hardware grants: I/O port ranges, physical ranges, IRQ lines and DMA memory. A process may pass
 * on only what it holds; init holds everything at boot. An IRQ is masked from when it fires until
 * the bound driver acknowledges it. DMA memory is ordinary memory whose physical addresses the
 * driver learns, to give to its device; its frames go back to a DMA-only pool when the driver
 * dies, so a device still writing after its driver died can only reach DMA memory (which the
 * next driver takes only after resetting the device). */
#include "kernel.h"

static struct { int tid; u64 bit; } irq_owner[24];

void grant_all(struct proc *p) {
    p->io[0].base = 0, p->io[0].n = 65536, p->nio = 1;
    p->irqs = 0xFFFFFF;
    p->mem[0].base = 0, p->mem[0].len = 1ul << 52, p->nmem = 1;
    p->dma_pages = ~0u;
}

bool holds_io(struct proc *p, u32 base, u32 n) {
    for (int i = 0; i < p->nio; i++)
        if (base >= p->io[i].base && base + n <= p->io[i].base + p->io[i].n)
            return true;
    return false;
}

static bool holds_mem(struct proc *p, u64 base, u64 len) {
    for (int i = 0; i < p->nmem; i++)
        if (base >= p->mem[i].base && base + len <= p->mem[i].base + p->mem[i].len)
            return true;
    return false;
}

static struct proc *grantee(int pid) {
    struct proc *p = proc_get(pid);
    return p && p->state == P_LIVE ? p : NULL;
}

long grant_io(int pid, u32 base, u32 n) {
    struct proc *t = grantee(pid);
    if (!t)
        return -ESRCH;
    if (!n || base + n > 65536 || !holds_io(cur->proc, base, n))
        return -EPERM;
    if (t->nio == 8)
        return -ENOMEM;
    t->io[t->nio].base = base, t->io[t->nio].n = n, t->nio++;
    tss_forget_io(t);
    return 0;
}

long grant_mem(int pid, u64 base, u64 len) {
    struct proc *t = grantee(pid);
    if (!t)
        return -ESRCH;
    if ((base | len) & (PAGE - 1) || !len || !holds_mem(cur->proc, base, len))
        return -EPERM;
    if (t->nmem == 8)
        return -ENOMEM;
    t->mem[t->nmem].base = base, t->mem[t->nmem].len = len, t->nmem++;
    return 0;
}

long grant_irq(int pid, int irq) {
    struct proc *t = grantee(pid);
    if (!t)
        return -ESRCH;
    if (irq < 0 || irq >= 24 || !(cur->proc->irqs & (1u << irq)))
        return -EPERM;
    t->irqs |= 1u << irq;
    return 0;
}

long grant_dma(int pid, u32 pages) {
    struct proc *t = grantee(pid);
    if (!t)
        return -ESRCH;
    if (pages > cur->proc->dma_pages - cur->proc->dma_used || pages > ~0u - t->dma_pages)
        return -EPERM;
    t->dma_pages += pages;
    return 0;
}

/* Maps len bytes of DMA memory into the caller and stores each page's physical address in
 * uphys[]; returns the address. The pages count against the caller's DMA grant. */
long dma_map(u64 len, u64 *uphys) {
    struct proc *p = cur->proc;
    u64 pages = len / PAGE;
    if (len % PAGE || !pages || pages > 64 || !user_ok(uphys, pages * 8, true))
        return -EINVAL;
    if (pages > p->dma_pages - p->dma_used)
        return -EPERM;
    u64 va = p->heap_next;
    p->heap_next += len + PAGE;
    for (u64 i = 0; i < pages; i++) {
        u64 pa = dma_frame_alloc();
        if (!pa || map_page(p->pml4, va + i * PAGE, pa, PTE_U | PTE_W | PTE_OWNED | PTE_DMA | PTE_NX) < 0) {
            if (pa)
                dma_frame_free(pa);
            return -ENOMEM;   /* the pages mapped so far stay until exit */
        }
        p->dma_used++;
        uphys[i] = pa;
    }
    return va;
}

/* Maps a granted physical range (uncached) into the caller; returns the address. */
long map_phys(u64 base, u64 len) {
    struct proc *p = cur->proc;
    if ((base | len) & (PAGE - 1) || !len || base + len > 0x100000000ul || !holds_mem(p, base, len))
        return -EPERM;
    u64 va = p->mmio_next;
    for (u64 off = 0; off < len; off += PAGE)
        if (map_page(p->pml4, va + off, base + off, PTE_U | PTE_W | PTE_PCD | PTE_PWT | PTE_NX) < 0)
            return -ENOMEM;
    p->mmio_next += len + PAGE;
    return va;
}

long irq_bind(int irq, u64 bit) {
    if (irq < 0 || irq >= 24 || !(cur->proc->irqs & (1u << irq)))
        return -EPERM;
    irq_owner[irq].tid = cur->tid;
    irq_owner[irq].bit = bit;
    ioapic_mask(irq, false);
    return 0;
}

long irq_ack(int irq) {
    if (irq < 0 || irq >= 24 || irq_owner[irq].tid != cur->tid)
        return -EPERM;
    ioapic_mask(irq, false);
    return 0;
}

void irq_fire(int irq) {
    struct thread *t = thread_get(irq_owner[irq].tid);
    if (t)
        ipc_notify(t, irq_owner[irq].bit);
}

void grants_release(struct proc *p) {
    tss_forget_io(p);
    for (int i = 0; i < 24; i++) {
        struct thread *t = thread_get(irq_owner[i].tid);
        if (irq_owner[i].tid && (!t || t->proc == p)) {
            ioapic_mask(i, true);
            irq_owner[i].tid = 0;
        }
    }
    p->nio = p->nmem = 0;
    p->irqs = 0;
    p->dma_pages = p->dma_used = 0;
}
