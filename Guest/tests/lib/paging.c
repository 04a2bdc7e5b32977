/* Page-table building on top of the boot tables (4-level, SDM Vol. 3A, 5.5). Tables come from a
 * static pool, so their addresses are fixed by the link and never printed. */
#include "test.h"

#define POOL_PAGES 48
static uint64_t pool[POOL_PAGES][512] __attribute__((aligned(4096)));
static int pool_used;

uint64_t *pt_alloc(void) {
    if (pool_used == POOL_PAGES) {
        fail("page-table pool exhausted");
        finish();
    }
    uint64_t *t = pool[pool_used++];
    memset(t, 0, 4096);
    return t;
}

uint64_t *pte_for(uint64_t *pml4, uint64_t va, int level, int create) {
    uint64_t *table = pml4;
    for (int l = 4; l > level; l--) {
        uint64_t *e = &table[(va >> (12 + 9 * (l - 1))) & 511];
        if (!(*e & PTE_P)) {
            if (!create) {
                return 0;
            }
            *e = (uint64_t)pt_alloc() | PTE_P | PTE_W | PTE_U;
        }
        table = (uint64_t *)(*e & 0x000FFFFFFFFFF000ull);
    }
    return &table[(va >> (12 + 9 * (level - 1))) & 511];
}

void map_4k(uint64_t *pml4, uint64_t va, uint64_t pa, uint64_t flags) {
    *pte_for(pml4, va, 1, 1) = pa | flags;
}

void map_2m(uint64_t *pml4, uint64_t va, uint64_t pa, uint64_t flags) {
    *pte_for(pml4, va, 2, 1) = pa | flags | PTE_PS;
}
