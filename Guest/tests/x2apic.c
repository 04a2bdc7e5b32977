/* x2apic: the local APIC's x2APIC mode and its timer's TSC-deadline mode (SDM Vol. 3A, 11.12 and
 * 11.5.4.1): CPUID.1:ECX[21], IA32_APIC_BASE.EXTD and the legal transitions between disabled, xAPIC
 * and x2APIC (#GP on the illegal ones), the registers as MSRs 800H-8FFH with #GP for absent,
 * read-only and write-only ones and for reserved bits, the MMIO page no longer claimed, the 64-bit
 * ICR, SELF IPI, TPR and CR8, the timer through MSRs, and IA32_TSC_DEADLINE (6E0H) when
 * CPUID.1:ECX[24] offers it. A machine that offers neither prints so and passes. */
#include "test.h"

const char test_name[] = "x2apic";

#define APIC_EN (1ull << 11)
#define APIC_EXTD (1ull << 10)
#define X2_ID 0x802
#define X2_VERSION 0x803
#define X2_TPR 0x808
#define X2_PPR 0x80A
#define X2_EOI 0x80B
#define X2_LDR 0x80D
#define X2_DFR 0x80E
#define X2_SVR 0x80F
#define X2_ESR 0x828
#define X2_ICR 0x830
#define X2_ICR_HI 0x831
#define X2_LVT_TIMER 0x832
#define X2_TIMER_INIT 0x838
#define X2_TIMER_CUR 0x839
#define X2_TIMER_DIV 0x83E
#define X2_SELF_IPI 0x83F
#define MSR_TSC_DEADLINE 0x6E0
#define SELF_VECTOR 0x50
#define ICR_VECTOR 0x51
#define TIMER_VECTOR 0x52

static volatile uint32_t self_count, icr_count, timer_count, nmi_count;
static uint32_t msr_index;
static uint64_t msr_value;

static void x2_eoi(void) { wrmsr(X2_EOI, 0); }
static void self_ipi(struct frame *f) { (void)f; self_count++; x2_eoi(); }
static void icr_ipi(struct frame *f) { (void)f; icr_count++; x2_eoi(); }
static void timer(struct frame *f) { (void)f; timer_count++; x2_eoi(); }
static void nmi(struct frame *f) { (void)f; nmi_count++; }

static void do_rdmsr(void) { msr_value = rdmsr(msr_index); }
static void do_wrmsr(void) { wrmsr(msr_index, msr_value); }

/* the vector of the exception RDMSR/WRMSR raised, 0 for none */
static uint64_t rdmsr_fault(uint32_t index) {
    msr_index = index;
    return probe(do_rdmsr) ? last_fault.vector : 0;
}
static uint64_t wrmsr_fault(uint32_t index, uint64_t value) {
    msr_index = index;
    msr_value = value;
    return probe(do_wrmsr) ? last_fault.vector : 0;
}

static uint64_t rdtsc(void) { uint32_t lo, hi; __asm__ volatile("rdtsc" : "=a"(lo), "=d"(hi)); return ((uint64_t)hi << 32) | lo; }

static void transitions(uint64_t base) {
    section("ia32_apic_base transitions");
    check("  x2apic msr in xapic mode", rdmsr_fault(X2_VERSION), 13);
    check("  en=0 extd=1", wrmsr_fault(MSR_APIC_BASE, (base & ~APIC_EN) | APIC_EXTD), 13);
    check("  reserved bit 9", wrmsr_fault(MSR_APIC_BASE, base | (1ull << 9)), 13);
    check("  xapic to x2apic", wrmsr_fault(MSR_APIC_BASE, base | APIC_EXTD), 0);
    check("  x2apic to xapic", wrmsr_fault(MSR_APIC_BASE, base), 13);
    check("  x2apic to disabled", wrmsr_fault(MSR_APIC_BASE, base & ~APIC_EN), 0);
    check("  disabled to x2apic", wrmsr_fault(MSR_APIC_BASE, base | APIC_EXTD), 13);
    check("  disabled to xapic", wrmsr_fault(MSR_APIC_BASE, base), 0);
    check("  xapic to x2apic again", wrmsr_fault(MSR_APIC_BASE, base | APIC_EXTD), 0);
    check("  apic base in x2apic mode", rdmsr(MSR_APIC_BASE) & 0xFFFFFD00, 0xFEE00D00);
}

static void registers(void) {
    section("registers as msrs");
    check("  mmio version register not claimed", lapic_read(LAPIC_VERSION), 0xFFFFFFFF);
    check("  x2apic id", rdmsr(X2_ID), 0);
    uint32_t version = rdmsr(X2_VERSION) & 0xFF;
    check_u("  version is an integrated apic (10h-15h)", version >= 0x10 && version <= 0x15, 1);
    check("  ldr (cluster 0, bit 0)", rdmsr(X2_LDR), 1);
    check("  write id (read-only)", wrmsr_fault(X2_ID, 0), 13);
    check("  write ldr (read-only)", wrmsr_fault(X2_LDR, 1), 13);
    check("  write ppr (read-only)", wrmsr_fault(X2_PPR, 0), 13);
    check("  read eoi (write-only)", rdmsr_fault(X2_EOI), 13);
    check("  read self ipi (write-only)", rdmsr_fault(X2_SELF_IPI), 13);
    check("  read dfr (absent)", rdmsr_fault(X2_DFR), 13);
    check("  read icr high half (absent)", rdmsr_fault(X2_ICR_HI), 13);
    check("  eoi with a non-zero value", wrmsr_fault(X2_EOI, 1), 13);
    check("  esr with a non-zero value", wrmsr_fault(X2_ESR, 1), 13);
    check("  tpr with bit 8", wrmsr_fault(X2_TPR, 0x100), 13);
    check("  svr with bit 32", wrmsr_fault(X2_SVR, 0x1FFull | (1ull << 32)), 13);
    check("  self ipi with bit 8", wrmsr_fault(X2_SELF_IPI, 0x150), 13);
    wrmsr(X2_SVR, 0x1FF);
    check("  svr", rdmsr(X2_SVR) & 0x1FF, 0x1FF);
    wrmsr(X2_TPR, 0x40);
    check("  cr8 after tpr 40h", read_cr8(), 4);
    write_cr8(0);
    check("  tpr after cr8 0", rdmsr(X2_TPR), 0);
}

static void interrupts(void) {
    section("interrupts");
    wrmsr(X2_SELF_IPI, SELF_VECTOR);
    check_u("  self ipi", wait_count(&self_count, 1), 1);
    wrmsr(X2_ICR, ICR_VECTOR); /* destination 0 in bits 63:32 */
    check_u("  icr fixed to x2apic id 0", wait_count(&icr_count, 1), 1);
    wrmsr(X2_ICR, (0xFFFFFFFFull << 32) | ICR_VECTOR);
    check_u("  icr fixed to all (ffffffffh)", wait_count(&icr_count, 2), 1);
    wrmsr(X2_ICR, (1ull << 32) | ICR_VECTOR);
    spin_with_interrupts();
    check_u("  icr fixed to x2apic id 1", icr_count, 2);
    check("  icr reads back (no delivery status)", rdmsr(X2_ICR), (1ull << 32) | ICR_VECTOR);
    wrmsr(X2_ICR, (1u << 18) | (4u << 8) | (1u << 14));
    spin();
    check_u("  nmi to self", nmi_count, 1);
    wrmsr(X2_TPR, 0x60);
    wrmsr(X2_SELF_IPI, SELF_VECTOR);
    spin_with_interrupts();
    check_u("  self ipi held by tpr 60h", self_count, 1);
    wrmsr(X2_TPR, 0);
    check_u("  self ipi after tpr 0", wait_count(&self_count, 2), 1);
}

static void timers(void) {
    uint32_t r[4];
    section("timer");
    wrmsr(X2_TIMER_DIV, 0xB);
    wrmsr(X2_LVT_TIMER, TIMER_VECTOR);
    wrmsr(X2_TIMER_INIT, 100000);
    check_u("  one-shot fired", wait_count(&timer_count, 1), 1);
    check("  current count after one-shot", rdmsr(X2_TIMER_CUR), 0);
    check("  write current count (read-only)", wrmsr_fault(X2_TIMER_CUR, 0), 13);
    cpuid(1, 0, r);
    if (!((r[2] >> 24) & 1)) {
        kprintf("tsc-deadline not offered\n");
        return;
    }
    wrmsr(X2_LVT_TIMER, TIMER_VECTOR | (2u << 17));
    check("  deadline disarmed", rdmsr(MSR_TSC_DEADLINE), 0);
    wrmsr(MSR_TSC_DEADLINE, rdtsc() + 200000);
    check_u("  deadline armed", rdmsr(MSR_TSC_DEADLINE) != 0, 1);
    check_u("  tsc-deadline fired", wait_count(&timer_count, 2), 1);
    check("  deadline after firing", rdmsr(MSR_TSC_DEADLINE), 0);
    wrmsr(MSR_TSC_DEADLINE, rdtsc() + 1000000000ull);
    wrmsr(MSR_TSC_DEADLINE, 0);
    spin_with_interrupts();
    check_u("  a deadline of 0 disarms", timer_count, 2);
    wrmsr(X2_LVT_TIMER, 1u << 16);
}

int main(void) {
    uint32_t r[4];
    cpuid(1, 0, r);
    if (!((r[2] >> 21) & 1)) {
        kprintf("x2apic not offered\n");
        finish();
    }
    idt_set_handler(2, nmi);
    idt_set_handler(SELF_VECTOR, self_ipi);
    idt_set_handler(ICR_VECTOR, icr_ipi);
    idt_set_handler(TIMER_VECTOR, timer);
    uint64_t base = rdmsr(MSR_APIC_BASE) & ~APIC_EXTD;
    transitions(base);
    registers();
    interrupts();
    timers();
    wrmsr(MSR_APIC_BASE, base & ~APIC_EN);
    wrmsr(MSR_APIC_BASE, base);
    finish();
}
