/* paging: 32-bit paging with a 4 MiB PSE page (paging_asm.S), then 4-level paging: 4 KiB and 2 MiB
 * pages (1 GiB only where CPUID offers it, with a line that reads the same either way), accessed
 * and dirty bits, #PF error codes and CR2, CR0.WP, U/S, NX, reserved bits, INVLPG, a CR3 switch and
 * CR4.PGE. TLB contents are never observed: only what the SDM guarantees after an invalidation
 * (the new mapping is used) is checked. */
#include "test.h"

const char test_name[] = "paging";

extern uint32_t pg32_read4k, pg32_pde4m, pg32_pde_table, pg32_pte, pg32_err_np, pg32_cr2_np;
extern uint32_t pg32_err_ro, pg32_cr2_ro, pg32_phys;
extern uint64_t target;
extern char at_kread[], at_kwrite[], at_uread[], at_uwrite[];
void kread(void), kwrite(void), kcall(void), uread(void), uwrite(void);

#define V 0x0000008000000000ull /* PML4 slot 1: nothing else lives there */
#define PF_P 1
#define PF_W 2
#define PF_U 4
#define PF_RSVD 8
#define PF_I 16

static uint8_t frames[12][4096] __attribute__((aligned(4096)));
static uint8_t user_stack[4096] __attribute__((aligned(16)));
#define USER_RSP ((uint64_t)(user_stack + sizeof user_stack))
#define FRAME(i) ((uint64_t)frames[i])

static uint32_t rd32(uint64_t va) { return *(volatile uint32_t *)va; }
static void wr32(uint64_t va, uint32_t v) { *(volatile uint32_t *)va = v; }

static void map(uint64_t va, uint64_t pa, uint64_t flags) {
    map_4k(boot_pml4, va, pa, flags);
    invlpg(va);
}

static void check32(void) {
    check("pm32 read via 4k page", pg32_read4k, 0x22222222);
    check("pm32 4m pde after write (A D PS set)", pg32_pde4m & 0xFFF, 0x0E3);
    check("pm32 pde of page table after read", pg32_pde_table & 0x3F, 0x23);
    check("pm32 pte after read (A set, D clear)", pg32_pte & 0x7F, 0x23);
    check("pm32 not-present read: error", pg32_err_np, 0);
    check("pm32 not-present read: cr2", pg32_cr2_np, 0x40C00123);
    check("pm32 write to read-only (WP=1): error", pg32_err_ro, PF_P | PF_W);
    check("pm32 write to read-only (WP=1): cr2", pg32_cr2_ro, 0x40800040);
    check("pm32 physical word written via 4m alias", pg32_phys, 0x11111111);
}

static void check_pages(void) {
    /* 4 KiB */
    wr32(FRAME(0) + 0x10, 0xCAFE0001);
    map(V + 0x0000, FRAME(0), PTE_P | PTE_W);
    volatile uint64_t *pte = pte_for(boot_pml4, V, 1, 0); /* volatile: the CPU writes A and D */
    check("4k read", rd32(V + 0x10), 0xCAFE0001);
    check("4k pte after read (A D)", *pte & (PTE_A | PTE_D), PTE_A);
    wr32(V + 0x14, 0xCAFE0002);
    check("4k pte after write (A D)", *pte & (PTE_A | PTE_D), PTE_A | PTE_D);
    check("4k write seen at the frame", rd32(FRAME(0) + 0x14), 0xCAFE0002);
    *pte &= ~(PTE_A | PTE_D);
    invlpg(V);
    (void)rd32(V + 0x10);
    check("4k pte after invlpg and read (A D)", *pte & (PTE_A | PTE_D), PTE_A);

    /* 2 MiB: physical 16 MiB, free RAM on both machines */
    wr32(0x01000000 + 0x1234, 0xB16B00B5);
    map_2m(boot_pml4, V + 0x200000, 0x01000000, PTE_P | PTE_W);
    invlpg(V + 0x200000);
    volatile uint64_t *pde = pte_for(boot_pml4, V + 0x200000, 2, 0);
    check("2m read", rd32(V + 0x200000 + 0x1234), 0xB16B00B5);
    check("2m pde after read (A D PS)", *pde & (PTE_A | PTE_D | PTE_PS), PTE_A | PTE_PS);
    wr32(V + 0x200000 + 0x1FFFF0, 0x2222);
    check("2m pde after write (A D PS)", *pde & (PTE_A | PTE_D | PTE_PS), PTE_A | PTE_D | PTE_PS);
    check("2m write seen at the frame", rd32(0x01000000 + 0x1FFFF0), 0x2222);

    /* 1 GiB pages are optional (CPUID.80000001H:EDX[26]); QEMU's default CPU lacks them */
    uint32_t r[4];
    cpuid(0x80000001, 0, r);
    int ok = 1;
    if (r[3] & (1u << 26)) {
        *pte_for(boot_pml4, V + 0x40000000, 3, 1) = 0 | PTE_P | PTE_W | PTE_PS;
        invlpg(V + 0x40000000);
        ok = rd32(V + 0x40000000 + FRAME(0) + 0x10) == rd32(FRAME(0) + 0x10);
    }
    check_u("1g page maps correctly where supported", ok, 1);
}

/* QEMU 7.2 TCG leaves P clear in the error code of a reserved-bit fault; by the SDM's definition
 * (Vol. 3A, 4.7) P is 1 there, as every entry on the walk is present. Those faults are compared
 * with P masked (mask_p). */
static void pf_masked(const char *what, void (*fn)(void), uint64_t va, int user, uint64_t error, const char *label,
                      uint64_t error_mask) {
    target = va;
    if (user) {
        probe_user(fn, USER_RSP);
    } else {
        probe(fn);
    }
    section(what);
    check_u("  vector", last_fault.vector, 14);
    if (error_mask != ~0ull) {
        check("  error (P masked)", last_fault.error & error_mask, error & error_mask);
    } else {
        check("  error", last_fault.error, error);
    }
    check("  cr2", last_fault.cr2, va);
    check("  rip - label", last_fault.rip - (uint64_t)(label ? label : (const char *)va), 0);
}

static void pf(const char *what, void (*fn)(void), uint64_t va, int user, uint64_t error, const char *label) {
    pf_masked(what, fn, va, user, error, label, ~0ull);
}

static void check_faults(void) {
    pf("not-present read", kread, V + 0x3010, 0, 0, at_kread);
    pf("not-present write", kwrite, V + 0x3020, 0, PF_W, at_kwrite);

    map(V + 0x4000, FRAME(1), PTE_P | PTE_U);
    write_cr0(read_cr0() | (1u << 16));
    pf("write to read-only, cpl0, WP=1", kwrite, V + 0x4008, 0, PF_P | PF_W, at_kwrite);
    write_cr0(read_cr0() & ~(1ull << 16));
    target = V + 0x400C;
    check_u("write to read-only, cpl0, WP=0: faulted", probe(kwrite), 0);
    check("write to read-only, cpl0, WP=0: frame", rd32(FRAME(1) + 0xC), 0x77);
    write_cr0(read_cr0() | (1u << 16));
    pf("write to read-only, cpl3", uwrite, V + 0x4010, 1, PF_P | PF_W | PF_U, at_uwrite);

    map(V + 0x5000, FRAME(2), PTE_P | PTE_W);
    pf("user read of supervisor page", uread, V + 0x5000, 1, PF_P | PF_U, at_uread);
    pf("user write to supervisor page", uwrite, V + 0x5FFC, 1, PF_P | PF_W | PF_U, at_uwrite);
    map(V + 0x6000, FRAME(3), PTE_P | PTE_W | PTE_U);
    target = V + 0x6004;
    probe_user(uwrite, USER_RSP);
    check_u("user write to user page: left by int 0x80", last_fault.vector, VEC_USER_EXIT);
    check("user write to user page: frame", rd32(FRAME(3) + 4), 0x77);

    /* with EFER.NXE=0, bit 63 is reserved (SDM Vol. 3A, 5.5.2) */
    map(V + 0x7000, FRAME(4) | PTE_NX, PTE_P | PTE_W);
    pf_masked("nx bit with EFER.NXE=0 (reserved)", kread, V + 0x7000, 0, PF_P | PF_RSVD, at_kread, ~(uint64_t)PF_P);
    /* bits 20:13 of a 2 MiB PDE are reserved */
    map_2m(boot_pml4, V + 0x400000, 0x01200000 | (1u << 13), PTE_P | PTE_W);
    invlpg(V + 0x400000);
    pf_masked("2m pde with bit 13 set (reserved)", kwrite, V + 0x400040, 0, PF_P | PF_W | PF_RSVD, at_kwrite,
              ~(uint64_t)PF_P);

    /* page-crossing accesses fault on the page that denies them, and a faulting write changes
     * neither page (SDM Vol. 3A, 6.5: a fault leaves the state as before the instruction) */
    map(V + 0xE000, FRAME(10), PTE_P | PTE_W);
    target = V + 0xEFFE;
    probe(kread);
    section("4-byte read crossing into a not-present page");
    check_u("  vector", last_fault.vector, 14);
    check("  error", last_fault.error, 0);
    check("  cr2", last_fault.cr2, V + 0xF000);
    check("  rip - label", last_fault.rip - (uint64_t)at_kread, 0);
    memset(frames[10], 0xAA, 4096);
    memset(frames[11], 0xBB, 4096);
    map(V + 0x10000, FRAME(10), PTE_P | PTE_W);
    map(V + 0x11000, FRAME(11), PTE_P);
    target = V + 0x10FFE;
    probe(kwrite);
    section("4-byte write crossing into a read-only page");
    check_u("  vector", last_fault.vector, 14);
    check("  error", last_fault.error, PF_P | PF_W);
    check("  cr2", last_fault.cr2, V + 0x11000);
    check("  first page unchanged", *(volatile uint16_t *)(FRAME(10) + 0xFFE), 0xAAAA);
    check("  second page unchanged", *(volatile uint16_t *)FRAME(11), 0xBBBB);

    wrmsr(MSR_EFER, rdmsr(MSR_EFER) | EFER_NXE);
    frames[5][0] = 0xC3; /* ret */
    map(V + 0x8000, FRAME(5), PTE_P | PTE_W | PTE_NX);
    pf("fetch from nx page", kcall, V + 0x8000, 0, PF_P | PF_I, 0);
    map(V + 0x8000, FRAME(5), PTE_P | PTE_W);
    target = V + 0x8000;
    check_u("fetch from the same page without nx: faulted", probe(kcall), 0);
    pf("fetch from not-present page", kcall, V + 0x9000, 0, PF_I, 0);
}

static void check_invalidation(void) {
    wr32(FRAME(6), 0x66666666);
    wr32(FRAME(7), 0x77777777);
    wr32(FRAME(8), 0x88888888);
    wr32(FRAME(9), 0x99999999);

    /* INVLPG: after it, the changed PTE is used */
    map(V + 0xA000, FRAME(6), PTE_P | PTE_W);
    (void)rd32(V + 0xA000);
    *pte_for(boot_pml4, V + 0xA000, 1, 0) = FRAME(7) | PTE_P | PTE_W;
    invlpg(V + 0xA000);
    check("read after pte change and invlpg", rd32(V + 0xA000), 0x77777777);

    /* a CR3 write invalidates non-global translations */
    map(V + 0xB000, FRAME(6), PTE_P | PTE_W);
    (void)rd32(V + 0xB000);
    *pte_for(boot_pml4, V + 0xB000, 1, 0) = FRAME(8) | PTE_P | PTE_W;
    write_cr3(read_cr3());
    check("read after pte change and cr3 write", rd32(V + 0xB000), 0x88888888);

    /* two address spaces sharing the identity map in slot 0 */
    uint64_t *other = pt_alloc();
    other[0] = boot_pml4[0];
    map_4k(other, V + 0xC000, FRAME(9), PTE_P | PTE_W);
    map(V + 0xC000, FRAME(6), PTE_P | PTE_W);
    uint64_t cr3 = read_cr3();
    check("space a: read", rd32(V + 0xC000), 0x66666666);
    write_cr3((uint64_t)other);
    check("space b: read", rd32(V + 0xC000), 0x99999999);
    target = V + 0xB000;
    check_u("space b: unmapped address faults", probe(kread), 1);
    check("space b: cr2", last_fault.cr2, V + 0xB000);
    write_cr3(cr3);
    check("space a again: read", rd32(V + 0xC000), 0x66666666);

    /* global pages: toggling CR4.PGE flushes them too (SDM Vol. 3A, 4.10.4.1) */
    write_cr4(read_cr4() | (1u << 7));
    map(V + 0xD000, FRAME(6), PTE_P | PTE_W | PTE_G);
    (void)rd32(V + 0xD000);
    *pte_for(boot_pml4, V + 0xD000, 1, 0) = FRAME(7) | PTE_P | PTE_W | PTE_G;
    write_cr4(read_cr4() & ~(1ull << 7));
    write_cr4(read_cr4() | (1u << 7));
    check("global page read after pte change and pge toggle", rd32(V + 0xD000), 0x77777777);
    *pte_for(boot_pml4, V + 0xD000, 1, 0) = FRAME(8) | PTE_P | PTE_W | PTE_G;
    invlpg(V + 0xD000);
    check("global page read after pte change and invlpg", rd32(V + 0xD000), 0x88888888);
    write_cr4(read_cr4() & ~(1ull << 7));
}

int main(void) {
    check32();
    check_pages();
    check_faults();
    check_invalidation();
    finish();
}
