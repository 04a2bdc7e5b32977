/* msr: model-specific registers and the instructions they drive (SDM Vol. 4 and Vol. 2B). The
 * SYSENTER MSRs read back; SYSENTER from CPL 3 enters at IA32_SYSENTER_EIP on IA32_SYSENTER_ESP with
 * CS from IA32_SYSENTER_CS and SS 8 above it, IF clear; SYSEXITQ returns to CPL 3 with CS 32 above and
 * SS 40 above; SYSEXIT at CPL 3 and SYSENTER with IA32_SYSENTER_CS zero are #GP(0). PAT holds its
 * power-up value and reads back a write; MISC_ENABLE reads its fast-string default; RDMSR of MTRRcap
 * agrees with CPUID.1:EDX.MTRR; TSC_AUX reaches RDTSCP's ECX and RDPID; IA32_TSC_ADJUST follows a
 * write of the TSC and moves the TSC when written (SDM Vol. 3B, "Time-Stamp Counter Adjustment"), both
 * where CPUID.7.0 offers them; INVLPG of a non-canonical address is a no-op. (Where QEMU 7.2 TCG accepts what the SDM faults — reserved PAT types, non-canonical SYSENTER
 * addresses, unknown MSRs — the checks are unit tests: Tests/Cpu.Tests/System/MsrTests.cs.) */
#include "test.h"

const char test_name[] = "msr";

#define MSR_SYSENTER_CS 0x174
#define MSR_SYSENTER_ESP 0x175
#define MSR_SYSENTER_EIP 0x176
#define MSR_TSC 0x10
#define MSR_TSC_ADJUST 0x3B
#define MSR_MTRRCAP 0xFE
#define MSR_MISC_ENABLE 0x1A0
#define MSR_PAT 0x277
#define MSR_TSC_AUX 0xC0000103
#define USER_RSP 0x7F0000ull

extern void user_sysenter(void), at_sysenter(void), sysenter_entry(void), user_sysexit(void), at_sysexit(void);
extern uint32_t u_cs_sysexit, u_ss_sysexit, k_cs_sysenter, k_ss_sysenter;
extern uint64_t k_rsp_sysenter, k_flags_sysenter;

static uint64_t sysenter_stack[512] __attribute__((aligned(16)));
static uint32_t msr_index;
static uint64_t msr_value;

static void do_rdmsr(void) { msr_value = rdmsr(msr_index); }

static void invlpg_noncanonical(void) { invlpg(0x8000000000000000ull); }

static uint64_t rdtsc64(void) {
    uint32_t lo, hi;
    __asm__ volatile("rdtsc" : "=a"(lo), "=d"(hi));
    return ((uint64_t)hi << 32) | lo;
}

/* A difference of TSC readings in units of 1 MiB ticks, rounded: the instructions between the
 * readings take far fewer ticks than that on emu and on QEMU. */
static uint64_t mib_ticks(uint64_t delta) { return (delta + (1u << 19)) >> 20; }

static void check_tsc_adjust(void) {
    uint32_t r[4];
    cpuid(7, 0, r);
    if (!((r[1] >> 1) & 1)) {
        kprintf("tsc_adjust not offered\n");
        return;
    }
    section("tsc_adjust");
    uint64_t before = rdmsr(MSR_TSC_ADJUST);
    wrmsr(MSR_TSC, rdtsc64() + (0x100ull << 20));
    check("  after tsc += 256 MiB ticks (MiB)", mib_ticks(rdmsr(MSR_TSC_ADJUST) - before), 0x100);
    uint64_t adjust = rdmsr(MSR_TSC_ADJUST);
    uint64_t t0 = rdtsc64();
    wrmsr(MSR_TSC_ADJUST, adjust + (1ull << 40));
    check("  tsc after adjust += 2^40 (MiB)", mib_ticks(rdtsc64() - t0), 1ull << 20);
    check("  reads back", rdmsr(MSR_TSC_ADJUST) - adjust, 1ull << 40);
}

static void check_rdpid(void) {
    uint32_t r[4];
    cpuid(7, 0, r);
    if (!((r[2] >> 22) & 1)) {
        kprintf("rdpid not offered\n");
        return;
    }
    wrmsr(MSR_TSC_AUX, 0x1234);
    uint64_t id = ~0ull;
    __asm__ volatile("rdpid %0" : "+r"(id));
    check("rdpid = tsc_aux, zero-extended", id, 0x1234);
}

static void check_user_gp(const char *what, void (*fn)(void), void (*label)(void)) {
    probe_user(fn, USER_RSP);
    section(what);
    check_u("  vector", last_fault.vector, 13);
    check("  error", last_fault.error, 0);
    check("  rip - label", last_fault.rip - (uint64_t)label, 0);
}

int main(void) {
    uint64_t top = (uint64_t)(sysenter_stack + 512);
    wrmsr(MSR_SYSENTER_CS, SEL_KDATA); /* SYSEXITQ's CS is then SEL_UCODE64 */
    wrmsr(MSR_SYSENTER_ESP, top);
    wrmsr(MSR_SYSENTER_EIP, (uint64_t)sysenter_entry);
    section("sysenter msrs");
    check("  cs", rdmsr(MSR_SYSENTER_CS), SEL_KDATA);
    check("  esp - stack top", rdmsr(MSR_SYSENTER_ESP) - top, 0);
    check("  eip - entry", rdmsr(MSR_SYSENTER_EIP) - (uint64_t)sysenter_entry, 0);

    probe_user(user_sysenter, USER_RSP);
    section("sysenter from cpl 3");
    check("  cs", k_cs_sysenter & 0xFFFF, SEL_KDATA);
    check("  ss", k_ss_sysenter & 0xFFFF, SEL_KDATA + 8);
    check("  rsp - stack top", k_rsp_sysenter - top, 0);
    check("  if", (k_flags_sysenter >> 9) & 1, 0);
    section("sysexitq");
    check("  cs", u_cs_sysexit & 0xFFFF, (SEL_KDATA + 32) | 3);
    check("  ss", u_ss_sysexit & 0xFFFF, (SEL_KDATA + 40) | 3);
    check_user_gp("sysexit at cpl 3", user_sysexit, at_sysexit);
    wrmsr(MSR_SYSENTER_CS, 0);
    check_user_gp("sysenter with sysenter_cs 0", user_sysenter, at_sysenter);

    section("pat");
    check("  power-up", rdmsr(MSR_PAT), 0x0007040600070406ull);
    wrmsr(MSR_PAT, 0x0007040600070401ull);
    check("  written", rdmsr(MSR_PAT), 0x0007040600070401ull);
    wrmsr(MSR_PAT, 0x0007040600070406ull);

    check("misc_enable fast strings", rdmsr(MSR_MISC_ENABLE) & 1, 1);

    uint32_t r[4];
    cpuid(1, 0, r);
    msr_index = MSR_MTRRCAP;
    int mtrr_faults = probe(do_rdmsr);
    check_u("mtrrcap readable as cpuid.1:edx.mtrr says", (mtrr_faults == 0) == ((r[3] >> 12) & 1), 1);

    wrmsr(MSR_TSC_AUX, 0x42);
    uint32_t aux;
    __asm__ volatile("rdtscp" : "=c"(aux) : : "rax", "rdx");
    check("rdtscp ecx = tsc_aux", aux, 0x42);
    check_rdpid();
    check_tsc_adjust();

    check_u("invlpg of a non-canonical address faults", probe(invlpg_noncanonical), 0);
    finish();
}
