/* Address spaces: one PML4 per process; entries 256-511 (the kernel half) are shared with the
 * boot PML4. PCID tags each process's TLB entries when the CPU has it (SDM 3, 4.10.1). */
#include "kernel.h"

extern u64 boot_pml4[512];
bool have_nx, have_pcid;
static u64 cr3_keep;          /* CR3 bit 63 (do not flush the PCID's entries) when PCIDs are on */
static struct proc *loaded;   /* whose user half CR3 holds; NULL: the boot PML4 */

void vmm_init(void) {
    u32 a, b, c, d;
    cpuid(0x80000001, &a, &b, &c, &d);
    have_nx = d & (1u << 20);
    bool gb_pages = d & (1u << 26);
    cpuid(1, &a, &b, &c, &d);
    have_pcid = c & (1u << 17);
    if (have_nx)
        wrmsr(0xC0000080, rdmsr(0xC0000080) | (1 << 11));
    boot_pml4[0] = 0;   /* drop the identity map */
    write_cr3(KV2P(boot_pml4));
    if (have_pcid) {
        u64 cr4;
        __asm__ volatile("mov %%cr4, %0" : "=r"(cr4));
        __asm__ volatile("mov %0, %%cr4" ::"r"(cr4 | (1ul << 17)));
        cr3_keep = 1ul << 63;
    }
    kprintf("mica: paging: NX %s, PCID %s, 1 GiB pages %s (2 MiB pages used)\n", have_nx ? "yes" : "no",
            have_pcid ? "yes" : "no", gb_pages ? "yes" : "no");
}

u64 *as_create(void) {
    u64 pa = frame_alloc();
    if (!pa)
        return NULL;
    u64 *pml4 = P2V(pa);
    memcpy(pml4 + 256, boot_pml4 + 256, 256 * 8);
    return pml4;
}

static void free_level(u64 *table, int level) {
    for (int i = 0; i < 512; i++) {
        u64 e = table[i];
        if (!(e & PTE_P))
            continue;
        if (level > 1)
            free_level(P2V(e & PTE_ADDR), level - 1);
        else if (e & PTE_DMA)
            dma_frame_free(e & PTE_ADDR);
        else if (e & PTE_OWNED)
            frame_free(e & PTE_ADDR);
    }
    frame_free((u64)table - PHYSMAP);
}

void as_destroy(u64 *pml4) {
    for (int i = 0; i < 256; i++)
        if (pml4[i] & PTE_P)
            free_level(P2V(pml4[i] & PTE_ADDR), 3);
    frame_free((u64)pml4 - PHYSMAP);
}

/* The page-table entry for va, creating the tables on the way when create is set. */
static u64 *walk(u64 *pml4, u64 va, bool create) {
    u64 *t = pml4;
    for (int shift = 39; shift > 12; shift -= 9) {
        u64 *e = &t[(va >> shift) & 511];
        if (!(*e & PTE_P)) {
            if (!create)
                return NULL;
            u64 pa = frame_alloc();
            if (!pa)
                return NULL;
            *e = pa | PTE_P | PTE_W | PTE_U;
        }
        t = P2V(*e & PTE_ADDR);
    }
    return &t[(va >> 12) & 511];
}

u64 *pte_find(u64 *pml4, u64 va) { return walk(pml4, va, false); }

int map_page(u64 *pml4, u64 va, u64 pa, u64 flags) {
    u64 *pte = walk(pml4, va, true);
    if (!pte)
        return -ENOMEM;
    if (*pte & PTE_P)
        return -EEXIST;
    if (!have_nx)
        flags &= ~PTE_NX;
    *pte = pa | flags | PTE_P;
    return 0;
}

/* Removes a mapping; returns the frame if it was owned (the caller frees it), else 0. */
u64 unmap_page(u64 *pml4, u64 va) {
    u64 *pte = walk(pml4, va, false);
    if (!pte || !(*pte & PTE_P))
        return 0;
    u64 e = *pte;
    *pte = 0;
    if (loaded && loaded->pml4 == pml4)
        invlpg(va);
    return e & PTE_OWNED ? e & PTE_ADDR : 0;
}

/* Is [p, p+len) user memory of the current process, writable if asked? */
bool user_ok(const void *p, u64 len, bool write) {
    u64 va = (u64)p;
    if (va + len < va || va + len > USER_TOP || !cur->proc)
        return false;
    for (u64 pg = va & ~(PAGE - 1); pg < va + len; pg += PAGE) {
        u64 *pte = walk(cur->proc->pml4, pg, false);
        if (!pte || (*pte & (PTE_P | PTE_U)) != (PTE_P | PTE_U) || (write && !(*pte & PTE_W)))
            return false;
    }
    return true;
}

void as_switch(struct proc *p) {
    if (p == loaded)
        return;
    loaded = p;
    if (!p) {
        write_cr3(KV2P(boot_pml4));
        return;
    }
    write_cr3(p->cr3);   /* the first load of a PCID drops what a previous owner left */
    p->cr3 |= cr3_keep;   /* later loads keep this PCID's entries */
}

/* Before a process's tables are freed: make sure CR3 does not hold them. */
void as_forget(struct proc *p) {
    if (loaded == p)
        as_switch(NULL);
}
