/* pkeys: protection keys (SDM Vol. 3A, 4.6.2) and the cache-line flushes. CPUID (PKU, OSPKE
 * following CR4.PKE, PKS, CLFSH with the line size, CLFLUSHOPT, CLWB), RDPKRU/WRPKRU (#UD without
 * CR4.PKE, #GP for ECX or EDX not 0), the key in bits 62:59 of a 4-level leaf entry: PKRU's AD and WD
 * for user-mode pages (user and supervisor data accesses, WD with CR0.WP 0 and 1, #PF error code
 * bit 5), a WRPKRU that takes effect with no TLB invalidation; IA32_PKRS
 * (6E1H) for supervisor-mode pages with CR4.PKS; PKRU as XSAVE component 9. A machine without a
 * feature prints so. */
#include "test.h"

const char test_name[] = "pkeys";

#define V 0x0000008000000000ull /* PML4 slot 1: nothing else lives there */
#define UPAGE (V + 0x1000)      /* user-mode page, key 5 */
#define SPAGE (V + 0x2000)      /* supervisor-mode page, key 3 */
#define CR0_WP (1ull << 16)
#define CR4_OSXSAVE (1ull << 18)
#define CR4_PKE (1ull << 22)
#define CR4_PKS (1ull << 24)
#define MSR_PKRS 0x6E1
#define PF_P 1
#define PF_W 2
#define PF_U 4
#define PF_PK 32
#define KEY(k) ((uint64_t)(k) << 59)
#define AD(k) (1u << (2 * (k)))
#define WD(k) (2u << (2 * (k)))

static uint8_t frames[2][4096] __attribute__((aligned(4096)));
static uint8_t user_stack[4096] __attribute__((aligned(16)));
static uint8_t xsave_area[4096] __attribute__((aligned(64)));
#define USER_RSP ((uint64_t)(user_stack + sizeof user_stack))

static volatile uint64_t target;
static uint32_t reg_ecx, reg_edx, reg_eax, result;

static uint32_t rdpkru_raw(uint32_t ecx) {
    uint32_t eax, edx;
    __asm__ volatile("rdpkru" : "=a"(eax), "=d"(edx) : "c"(ecx));
    return eax;
}
static void wrpkru_raw(uint32_t eax, uint32_t ecx, uint32_t edx) { __asm__ volatile("wrpkru" : : "a"(eax), "c"(ecx), "d"(edx) : "memory"); }
static uint32_t rdpkru(void) { return rdpkru_raw(0); }
static void wrpkru(uint32_t v) { wrpkru_raw(v, 0, 0); }

static void do_rdpkru(void) { result = rdpkru_raw(reg_ecx); }
static void do_wrpkru(void) { wrpkru_raw(reg_eax, reg_ecx, reg_edx); }
static void kread(void) { result = *(volatile uint32_t *)target; }
static void kwrite(void) { *(volatile uint32_t *)target = 0x5A5A5A5A; }
static void uread(void) {
    result = *(volatile uint32_t *)target;
    __asm__ volatile("int $0x80");
}
static void uwrite(void) {
    *(volatile uint32_t *)target = 0xA5A5A5A5;
    __asm__ volatile("int $0x80");
}

/* the #PF error code of fn at va (CPL 0 or 3), or 0 when it ran through */
static uint64_t fault_of(void (*fn)(void), uint64_t va, int user) {
    target = va;
    if (user) {
        probe_user(fn, USER_RSP);
        return last_fault.vector == VEC_USER_EXIT ? 0 : (last_fault.vector == 14 ? last_fault.error : 0x1000 + last_fault.vector);
    }
    if (!probe(fn)) {
        return 0;
    }
    return last_fault.vector == 14 ? last_fault.error : 0x1000 + last_fault.vector;
}

static uint64_t vector_of(void (*fn)(void)) { return probe(fn) ? last_fault.vector : 0; }

static void cache_lines(void) {
    uint32_t r[4];
    section("cache-line flushes");
    cpuid(1, 0, r);
    check("  cpuid.1:edx.clfsh", (r[3] >> 19) & 1, 1);
    check("  cpuid.1:ebx clflush line size (8-byte units)", (r[1] >> 8) & 0xFF, 8);
    cpuid(7, 0, r);
    volatile uint32_t *p = (volatile uint32_t *)frames[0];
    *p = 0x1234;
    __asm__ volatile("clflush (%0)" : : "r"(p) : "memory");
    if ((r[1] >> 23) & 1) {
        __asm__ volatile("clflushopt (%0)" : : "r"(p) : "memory");
    }
    if ((r[1] >> 24) & 1) {
        __asm__ volatile("clwb (%0)" : : "r"(p) : "memory");
    }
    __asm__ volatile("sfence" ::: "memory");
    check("  data after the flushes", *p, 0x1234);
}

static void user_keys(void) {
    section("pkru and user-mode pages");
    check("  rdpkru with cr4.pke 0", vector_of(do_rdpkru), 6);
    write_cr4(read_cr4() | CR4_PKE);
    uint32_t r[4];
    cpuid(7, 0, r);
    check("  cpuid.7:ecx.ospke with cr4.pke 1", (r[2] >> 4) & 1, 1);
    reg_ecx = 1;
    check("  rdpkru with ecx 1", vector_of(do_rdpkru), 13);
    reg_eax = 0, reg_ecx = 0, reg_edx = 1;
    check("  wrpkru with edx 1", vector_of(do_wrpkru), 13);
    reg_edx = 0, reg_ecx = 1;
    check("  wrpkru with ecx 1", vector_of(do_wrpkru), 13);
    wrpkru(0x12345678);
    check("  rdpkru after wrpkru", rdpkru(), 0x12345678);
    wrpkru(0);

    map_4k(boot_pml4, UPAGE, (uint64_t)frames[0], PTE_P | PTE_W | PTE_U | KEY(5));
    invlpg(UPAGE);
    write_cr0(read_cr0() | CR0_WP);
    check("  supervisor read, pkru 0", fault_of(kread, UPAGE, 0), 0);
    check("  user write, pkru 0", fault_of(uwrite, UPAGE, 1), 0);
    wrpkru(AD(5)); /* no invlpg: the cached translation must obey the new rights */
    check("  supervisor read, ad5", fault_of(kread, UPAGE, 0), PF_P | PF_PK);
    check("  user read, ad5", fault_of(uread, UPAGE, 1), PF_P | PF_U | PF_PK);
    check("  user write, ad5", fault_of(uwrite, UPAGE, 1), PF_P | PF_W | PF_U | PF_PK);
    wrpkru(AD(4) | WD(6)); /* other keys: no effect on key 5 */
    check("  user write, ad4 wd6", fault_of(uwrite, UPAGE, 1), 0);
    wrpkru(WD(5));
    check("  user read, wd5", fault_of(uread, UPAGE, 1), 0);
    check("  user write, wd5", fault_of(uwrite, UPAGE, 1), PF_P | PF_W | PF_U | PF_PK);
    check("  supervisor write, wd5, cr0.wp 1", fault_of(kwrite, UPAGE, 0), PF_P | PF_W | PF_PK);
    write_cr0(read_cr0() & ~CR0_WP);
    check("  supervisor write, wd5, cr0.wp 0", fault_of(kwrite, UPAGE, 0), 0);
    write_cr0(read_cr0() | CR0_WP);
    wrpkru(0);
    check("  user write, pkru 0 again", fault_of(uwrite, UPAGE, 1), 0);
    check("  value written by the last user write", *(volatile uint32_t *)frames[0], 0xA5A5A5A5);
    /* a supervisor-mode page is not governed by PKRU */
    map_4k(boot_pml4, SPAGE, (uint64_t)frames[1], PTE_P | PTE_W | KEY(3));
    invlpg(SPAGE);
    wrpkru(AD(3) | WD(3));
    check("  supervisor write to a supervisor page, pkru ad3 wd3", fault_of(kwrite, SPAGE, 0), 0);
    wrpkru(0);
}

static void supervisor_keys(void) {
    uint32_t r[4];
    cpuid(7, 0, r);
    if (!((r[2] >> 31) & 1)) {
        kprintf("pks not offered\n");
        return;
    }
    section("ia32_pkrs and supervisor-mode pages");
    write_cr4(read_cr4() | CR4_PKS);
    wrmsr(MSR_PKRS, AD(3));
    check("  pkrs reads back", rdmsr(MSR_PKRS), AD(3));
    check("  supervisor read, pkrs ad3", fault_of(kread, SPAGE, 0), PF_P | PF_PK);
    wrmsr(MSR_PKRS, WD(3));
    check("  supervisor read, pkrs wd3", fault_of(kread, SPAGE, 0), 0);
    check("  supervisor write, pkrs wd3, cr0.wp 1", fault_of(kwrite, SPAGE, 0), PF_P | PF_W | PF_PK);
    write_cr0(read_cr0() & ~CR0_WP);
    check("  supervisor write, pkrs wd3, cr0.wp 0", fault_of(kwrite, SPAGE, 0), 0);
    write_cr0(read_cr0() | CR0_WP);
    wrmsr(MSR_PKRS, AD(5));
    check("  user page under pkrs ad5", fault_of(kread, UPAGE, 0), 0);
    wrmsr(MSR_PKRS, 0);
    check("  supervisor write, pkrs 0", fault_of(kwrite, SPAGE, 0), 0);
    write_cr4(read_cr4() & ~CR4_PKS);
}

static void xsave_component(void) {
    uint32_t r[4];
    cpuid(0xD, 0, r);
    if (!((r[0] >> 9) & 1)) {
        kprintf("pkru xsave component not offered\n");
        return;
    }
    section("pkru as xsave component 9");
    cpuid(0xD, 9, r);
    check("  cpuid.(0dh,9) size", r[0], 8);
    check("  cpuid.(0dh,9) offset", r[1], 2688);
    write_cr4(read_cr4() | CR4_OSXSAVE);
    __asm__ volatile("xsetbv" : : "c"(0), "a"(0x203), "d"(0));
    cpuid(0xD, 0, r);
    check("  xsave area size for xcr0 203h", r[1], 2696);
    wrpkru(0x0000C000);
    memset(xsave_area, 0, sizeof xsave_area);
    __asm__ volatile("xsave (%0)" : : "r"(xsave_area), "a"(0x200), "d"(0) : "memory");
    check("  pkru saved at 2688", *(uint32_t *)(xsave_area + 2688), 0xC000);
    check("  xstate_bv bit 9", (*(uint64_t *)(xsave_area + 512) >> 9) & 1, 1);
    *(uint32_t *)(xsave_area + 2688) = 0x30;
    __asm__ volatile("xrstor (%0)" : : "r"(xsave_area), "a"(0x200), "d"(0) : "memory");
    check("  pkru after xrstor", rdpkru(), 0x30);
    *(uint64_t *)(xsave_area + 512) = 0; /* component 9 in its initial state */
    __asm__ volatile("xrstor (%0)" : : "r"(xsave_area), "a"(0x200), "d"(0) : "memory");
    check("  pkru after xrstor of the initial state", rdpkru(), 0);
    __asm__ volatile("xsetbv" : : "c"(0), "a"(0x3), "d"(0));
}

int main(void) {
    uint32_t r[4];
    cache_lines();
    cpuid(7, 0, r);
    if (!((r[2] >> 3) & 1)) {
        kprintf("pku not offered\n");
        finish();
    }
    check("cpuid.7:ecx.ospke with cr4.pke 0", (r[2] >> 4) & 1, 0);
    user_keys();
    supervisor_keys();
    xsave_component();
    finish();
}
