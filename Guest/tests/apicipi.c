/* apicipi: what the local APIC sends this processor and how it refuses (SDM Vol. 3A, chapter 11):
 * the ICR's delivery modes to a single processor (fixed and lowest priority by physical destination
 * and by the shorthands self / all including self / all excluding self; NMI the same ways, taken with
 * IF=0 and blocked until IRET, SDM 6.7.1; INIT and start-up to all excluding self reach nobody),
 * illegal vectors (send and receive: ESR bits 5 and 6, the error LVT raised, nothing delivered),
 * TPR/PPR against the in-service vector and CR8 as TPR[7:4], the LINT0/LINT1 entries the firmware
 * leaves (ExtINT, NMI), and IA32_APIC_BASE.EN: disabling hides the APIC (CPUID.1:EDX.APIC clear,
 * its page reads all ones, CR8 still a register) and enabling brings it back in its reset state. */
#include "test.h"

const char test_name[] = "apicipi";

#define FIXED_VECTOR 0x50
#define LOW_VECTOR 0x51
#define ERROR_VECTOR 0x60
#define TIMER_VECTOR 0x61
#define ISR_VECTOR 0x52
#define LAPIC_PPR 0xA0
#define LAPIC_ESR 0x280
#define LAPIC_LVT_LINT0 0x350
#define LAPIC_LVT_LINT1 0x360
#define LAPIC_LVT_ERROR 0x370
#define ICR_SELF (1u << 18)
#define ICR_ALL (2u << 18)
#define ICR_OTHERS (3u << 18)
#define DM_LOWEST (1u << 8)
#define DM_NMI (4u << 8)
#define DM_INIT (5u << 8)
#define DM_SIPI (6u << 8)
#define ICR_ASSERT (1u << 14)

static volatile uint32_t fixed_count, low_count, error_count, nmi_count, timer_count, illegal_count;
static volatile uint32_t nmi_nested_seen, nmi_if_in_frame, in_service_ppr;
static volatile int nmi_resend;

static void fixed(struct frame *f) { (void)f; fixed_count++; lapic_eoi(); }
static void lowest(struct frame *f) { (void)f; low_count++; lapic_eoi(); }
static void error(struct frame *f) { (void)f; error_count++; lapic_eoi(); }
/* an illegal vector must never arrive; counted (and EOIed, should an APIC have set ISR) if it does */
static void illegal(struct frame *f) { (void)f; illegal_count++; lapic_eoi(); }
static void timer(struct frame *f) { (void)f; timer_count++; lapic_eoi(); }
static void in_service(struct frame *f) { (void)f; in_service_ppr = lapic_read(LAPIC_PPR) & 0xFF; lapic_eoi(); }

static void nmi(struct frame *f) {
    nmi_count++;
    nmi_if_in_frame = (f->rflags >> 9) & 1;
    if (nmi_resend) {
        /* a second NMI while this one is handled waits for IRET */
        nmi_resend = 0;
        lapic_write(LAPIC_ICR_HI, 0);
        lapic_write(LAPIC_ICR_LO, ICR_SELF | DM_NMI | ICR_ASSERT);
        spin();
        nmi_nested_seen = nmi_count;
    }
}

static void send(uint32_t hi, uint32_t lo) {
    lapic_write(LAPIC_ICR_HI, hi);
    lapic_write(LAPIC_ICR_LO, lo);
}

static int vector_bit(uint32_t base, int v) { return (lapic_read(base + 0x10 * (v / 32)) >> (v % 32)) & 1; }

static uint32_t read_esr(void) {
    lapic_write(LAPIC_ESR, 0);
    return lapic_read(LAPIC_ESR);
}

static void fixed_modes(void) {
    section("fixed and lowest priority");
    fixed_count = low_count = 0;
    send(0, FIXED_VECTOR); /* physical destination 0: this processor */
    check_u("  fixed to apic id 0", wait_count(&fixed_count, 1), 1);
    send(0, DM_LOWEST | LOW_VECTOR);
    check_u("  lowest priority to apic id 0", wait_count(&low_count, 1), 1);
    send(0, ICR_SELF | FIXED_VECTOR);
    check_u("  fixed to self", wait_count(&fixed_count, 2), 1);
    send(0, ICR_ALL | FIXED_VECTOR);
    check_u("  fixed to all including self", wait_count(&fixed_count, 3), 1);
    send(0, ICR_OTHERS | FIXED_VECTOR);
    spin_with_interrupts();
    check_u("  fixed to all excluding self: count", fixed_count, 3);
    check_u("  fixed to all excluding self: irr", vector_bit(LAPIC_IRR, FIXED_VECTOR), 0);
    send(0x01000000, FIXED_VECTOR); /* physical destination 1: nobody */
    spin_with_interrupts();
    check_u("  fixed to apic id 1: count", fixed_count, 3);
}

static void nmi_modes(void) {
    section("nmi");
    nmi_count = 0;
    send(0, ICR_SELF | DM_NMI | ICR_ASSERT); /* IF=0 here: an NMI is not maskable */
    spin();
    check_u("  nmi to self with if=0", nmi_count, 1);
    check_u("  if in the nmi frame", nmi_if_in_frame, 0);
    send(0, DM_NMI | ICR_ASSERT);
    spin();
    check_u("  nmi to apic id 0", nmi_count, 2);
    send(0, ICR_ALL | DM_NMI | ICR_ASSERT);
    spin();
    check_u("  nmi to all including self", nmi_count, 3);
    send(0, ICR_OTHERS | DM_NMI | ICR_ASSERT);
    spin();
    check_u("  nmi to all excluding self", nmi_count, 3);
    nmi_resend = 1;
    send(0, ICR_SELF | DM_NMI | ICR_ASSERT);
    spin();
    check_u("  second nmi held while the handler runs", nmi_nested_seen, 4);
    check_u("  second nmi taken after iret", nmi_count, 5);
    send(0, ICR_OTHERS | DM_INIT | ICR_ASSERT);
    send(0, ICR_OTHERS | DM_SIPI | 0x10);
    spin();
    check_u("  init and sipi to all excluding self: still running", 1, 1);
}

static void illegal_vectors(void) {
    section("illegal vectors");
    error_count = fixed_count = 0;
    read_esr();
    lapic_write(LAPIC_LVT_ERROR, ERROR_VECTOR);
    send(0, ICR_SELF | 3); /* vectors 0-15 are illegal */
    spin_with_interrupts();
    check_u("  error lvt raised by a send", error_count, 1);
    check("  esr after an illegal ipi (send illegal vector)", read_esr() & 0x60, 0x20);
    check_u("  illegal ipi vector delivered", illegal_count, 0);
    check("  esr after a second write", read_esr(), 0);
    lapic_write(LAPIC_TIMER_DIV, 0xB);
    lapic_write(LAPIC_LVT_TIMER, 5); /* the timer fires with an illegal vector */
    lapic_write(LAPIC_TIMER_INIT, 1000);
    for (int i = 0; i < 1000000 && lapic_read(LAPIC_TIMER_CUR) != 0; i++) { /* until it has counted down */
    }
    /* until its interrupt has arrived one way or the other (QEMU raises it from another thread, maybe late) */
    for (int i = 0; i < 1000 && error_count < 2 && illegal_count < 2; i++)
        spin_with_interrupts();
    check_u("  error lvt raised by the timer", error_count, 2);
    check("  esr after the timer (receive illegal vector)", read_esr() & 0x60, 0x40);
    check_u("  illegal timer vector delivered", illegal_count, 0);
    lapic_write(LAPIC_LVT_TIMER, 1u << 16);
    lapic_write(LAPIC_LVT_ERROR, (1u << 16) | ERROR_VECTOR);
    send(0, ICR_SELF | 3);
    spin();
    check_u("  masked error lvt: no interrupt", error_count, 2);
    check("  masked error lvt: esr still records", read_esr() & 0x60, 0x20);
}

static void priorities(void) {
    section("task and processor priority");
    lapic_write(LAPIC_TPR, 0x20);
    check("  ppr with nothing in service is tpr", lapic_read(LAPIC_PPR) & 0xFF, 0x20);
    send(0, ICR_SELF | ISR_VECTOR);
    spin_with_interrupts();
    check("  ppr in the handler of vector 52h (tpr 20h)", in_service_ppr, 0x50);
    lapic_write(LAPIC_TPR, 0x7F);
    check("  ppr with tpr 7fh", lapic_read(LAPIC_PPR) & 0xFF, 0x7F);
    check("  cr8 with tpr 7fh", read_cr8(), 7);
    write_cr8(3);
    check("  tpr after mov cr8, 3", lapic_read(LAPIC_TPR) & 0xFF, 0x30);
    fixed_count = 0;
    send(0, ICR_SELF | 0x35);
    idt_set_handler(0x35, fixed);
    send(0, ICR_SELF | 0x45);
    idt_set_handler(0x45, fixed);
    spin_with_interrupts();
    check_u("  with cr8 3 vector 35h waits, 45h is taken", fixed_count, 1);
    check_u("  vector 35h in irr", vector_bit(LAPIC_IRR, 0x35), 1);
    write_cr8(0);
    check_u("  vector 35h taken at cr8 0", wait_count(&fixed_count, 2), 1);
}

static void local_inputs(void) {
    section("lint0 and lint1");
    check("  lint0 delivery mode (extint)", (lapic_read(LAPIC_LVT_LINT0) >> 8) & 7, 7);
    check("  lint1 delivery mode (nmi)", (lapic_read(LAPIC_LVT_LINT1) >> 8) & 7, 4);
    lapic_write(LAPIC_LVT_LINT1, (1u << 16) | (4u << 8));
    check("  lint1 masked", lapic_read(LAPIC_LVT_LINT1) & 0x1FFFF, 0x10400);
}

static void global_disable(void) {
    uint32_t r[4];
    section("ia32_apic_base.en");
    uint64_t base = rdmsr(MSR_APIC_BASE);
    write_cr8(0);
    wrmsr(MSR_APIC_BASE, base & ~(1ull << 11));
    check("  apic base after clearing en", rdmsr(MSR_APIC_BASE) & 0xFFFFF900, 0xFEE00100);
    cpuid(1, 0, r);
    check("  cpuid.1:edx.apic while disabled", (r[3] >> 9) & 1, 0);
    check("  version register while disabled", lapic_read(LAPIC_VERSION), 0xFFFFFFFF);
    lapic_write(LAPIC_TPR, 0x40);
    check("  tpr write while disabled reads", lapic_read(LAPIC_TPR), 0xFFFFFFFF);
    write_cr8(5);
    check("  cr8 while disabled", read_cr8(), 5);
    write_cr8(0);
    fixed_count = 0;
    send(0, ICR_SELF | FIXED_VECTOR);
    spin_with_interrupts();
    check_u("  an icr write while disabled sends nothing", fixed_count, 0);
    wrmsr(MSR_APIC_BASE, base);
    check("  apic base after setting en", rdmsr(MSR_APIC_BASE) & 0xFFFFF900, 0xFEE00900);
    cpuid(1, 0, r);
    check("  cpuid.1:edx.apic enabled again", (r[3] >> 9) & 1, 1);
    uint32_t version = lapic_read(LAPIC_VERSION) & 0xFF;
    check_u("  version register readable again", version >= 0x10 && version <= 0x15, 1);
    check("  svr software enable after re-enabling", lapic_read(LAPIC_SVR) & 0x100, 0);
    lapic_enable();
    send(0, ICR_SELF | FIXED_VECTOR);
    check_u("  self ipi works again", wait_count(&fixed_count, 1), 1);
}

int main(void) {
    lapic_enable();
    lapic_write(LAPIC_TPR, 0);
    idt_set_handler(2, nmi);
    idt_set_handler(FIXED_VECTOR, fixed);
    idt_set_handler(LOW_VECTOR, lowest);
    idt_set_handler(ERROR_VECTOR, error);
    idt_set_handler(TIMER_VECTOR, timer);
    idt_set_handler(ISR_VECTOR, in_service);
    idt_set_handler(3, illegal);
    idt_set_handler(5, illegal);
    fixed_modes();
    nmi_modes();
    illegal_vectors();
    priorities();
    local_inputs();
    global_disable();
    finish();
}
