/* lapic: the local APIC in xAPIC mode (SDM Vol. 3A, chapter 12): IA32_APIC_BASE, software enable
 * through SVR, the timer one-shot (fires once) and periodic (counted to five, then masked by its
 * own handler), the divide configuration, and a self-IPI through the ICR held back by TPR until TPR
 * is lowered, with IRR and ISR observed. The 8259s stay masked. Only architectural facts are
 * printed: the version register's value differs between implementations, so only its range is. */
#include "test.h"

const char test_name[] = "lapic";

#define TIMER_VECTOR 0x40
#define IPI_VECTOR 0x50
#define LVT_MASKED (1u << 16)
#define LVT_PERIODIC (1u << 17)

static volatile uint32_t timer_count, ipi_count, periodic;
static volatile uint32_t isr_bit_in_handler;

static int vector_bit(uint32_t base, int v) { return (lapic_read(base + 0x10 * (v / 32)) >> (v % 32)) & 1; }

static void timer(struct frame *f) {
    (void)f;
    if (periodic && timer_count >= 5) { /* one may already be pending in IRR when masked */
        lapic_eoi();
        return;
    }
    if (++timer_count == 5 && periodic) {
        lapic_write(LAPIC_LVT_TIMER, lapic_read(LAPIC_LVT_TIMER) | LVT_MASKED);
        lapic_write(LAPIC_TIMER_INIT, 0);
    }
    lapic_eoi();
}

static void ipi(struct frame *f) {
    (void)f;
    isr_bit_in_handler = vector_bit(LAPIC_ISR, IPI_VECTOR);
    ipi_count++;
    lapic_eoi();
}

int main(void) {
    uint64_t base = rdmsr(MSR_APIC_BASE);
    check("apic base msr (base, enable, bsp)", base & 0xFFFFF900, 0xFEE00900);
    lapic_enable();
    check("svr (enabled, spurious vector ff)", lapic_read(LAPIC_SVR) & 0x1FF, 0x1FF);
    check("apic id of the bsp", lapic_read(LAPIC_ID) >> 24, 0);
    uint32_t version = lapic_read(LAPIC_VERSION) & 0xFF;
    check_u("version is an integrated apic (10h-15h)", version >= 0x10 && version <= 0x15, 1);
    lapic_write(LAPIC_TPR, 0);
    check("tpr", lapic_read(LAPIC_TPR) & 0xFF, 0);
    idt_set_handler(TIMER_VECTOR, timer);
    idt_set_handler(IPI_VECTOR, ipi);

    /* one-shot */
    lapic_write(LAPIC_TIMER_DIV, 0x3); /* divide by 16 */
    check("timer divide config", lapic_read(LAPIC_TIMER_DIV) & 0xB, 0x3);
    lapic_write(LAPIC_LVT_TIMER, TIMER_VECTOR);
    check("lvt timer one-shot", lapic_read(LAPIC_LVT_TIMER) & 0x700FF, TIMER_VECTOR);
    lapic_write(LAPIC_TIMER_INIT, 50000);
    check_u("one-shot fired", wait_count(&timer_count, 1), 1);
    spin_with_interrupts();
    check_u("one-shot count after waiting", timer_count, 1);
    check_u("current count after one-shot", lapic_read(LAPIC_TIMER_CUR), 0);

    /* periodic, stopped by its handler at the fifth interrupt */
    timer_count = 0;
    periodic = 1;
    lapic_write(LAPIC_TIMER_DIV, 0xB); /* divide by 1 */
    check("timer divide config", lapic_read(LAPIC_TIMER_DIV) & 0xB, 0xB);
    lapic_write(LAPIC_LVT_TIMER, TIMER_VECTOR | LVT_PERIODIC);
    check("lvt timer periodic", lapic_read(LAPIC_LVT_TIMER) & 0x700FF, TIMER_VECTOR | LVT_PERIODIC);
    lapic_write(LAPIC_TIMER_INIT, 1000000);
    check_u("periodic reached 5", wait_count(&timer_count, 5), 1);
    spin_with_interrupts();
    check_u("periodic count after masking", timer_count, 5);
    check("lvt timer masked by handler", lapic_read(LAPIC_LVT_TIMER) & LVT_MASKED, LVT_MASKED);

    /* self-IPI (ICR destination shorthand 01b: self), held while TPR's class is not below 5 */
    lapic_write(LAPIC_TPR, 0x60);
    lapic_write(LAPIC_ICR_HI, 0);
    lapic_write(LAPIC_ICR_LO, (1u << 18) | IPI_VECTOR);
    spin_with_interrupts(); /* IF=1: only TPR holds it back */
    for (int i = 0; i < 1000000 && (lapic_read(LAPIC_ICR_LO) & (1u << 12)); i++) {
    }
    check("icr delivery status idle", lapic_read(LAPIC_ICR_LO) & (1u << 12), 0);
    check_u("ipi held by tpr 60h: delivered", ipi_count, 0);
    check_u("ipi held by tpr 60h: irr bit", vector_bit(LAPIC_IRR, IPI_VECTOR), 1);
    lapic_write(LAPIC_TPR, 0);
    check_u("ipi delivered after tpr 0", wait_count(&ipi_count, 1), 1);
    check_u("ipi count", ipi_count, 1);
    check_u("isr bit in handler", isr_bit_in_handler, 1);
    check_u("isr bit after eoi", vector_bit(LAPIC_ISR, IPI_VECTOR), 0);
    check_u("irr bit after delivery", vector_bit(LAPIC_IRR, IPI_VECTOR), 0);
    finish();
}
