/* ioapic: the I/O APIC at 0xFEC00000 (82093AA datasheet) with the 8259s masked: the version
 * register's maximum-redirection-entry field, the reset state of an entry, then two routes to the
 * local APIC: ISA IRQ0 (the PIT) on pin 2, as the PC's interrupt source override puts it, counted
 * to five and masked by its handler, and the UART's IRQ4 on pin 4 (THR-empty interrupt), which is
 * also used to show that an edge arriving on a masked pin is ignored, not held pending. */
#include "test.h"

const char test_name[] = "ioapic";

#define PIT_VECTOR 0x30
#define UART_VECTOR 0x31
#define PIN_PIT 2
#define PIN_UART 4
#define MASKED (1u << 16)
#define COM1 0x3F8

static volatile uint32_t pit_count, uart_count;
static volatile uint8_t uart_iir;

static uint32_t entry_low(int pin) { return ioapic_read(0x10 + 2 * pin); }
static void route(int pin, uint32_t low) {
    ioapic_write(0x11 + 2 * pin, 0); /* destination: APIC ID 0, physical */
    ioapic_write(0x10 + 2 * pin, low);
}

static void pit(struct frame *f) {
    (void)f;
    if (pit_count < 5 && ++pit_count == 5) { /* never past 5: one may already be accepted */
        route(PIN_PIT, PIT_VECTOR | MASKED);
    }
    lapic_eoi();
}

static void uart(struct frame *f) {
    (void)f;
    uart_iir = inb(COM1 + 2);
    outb(COM1 + 1, 0);
    uart_count++;
    lapic_eoi();
}

int main(void) {
    lapic_enable();
    lapic_write(LAPIC_TPR, 0);
    uint32_t version = ioapic_read(0x01);
    check_u("max redirection entry", (version >> 16) & 0xFF, 23);
    check("pin 2 masked at reset", entry_low(PIN_PIT) & MASKED, MASKED);
    idt_set_handler(PIT_VECTOR, pit);
    idt_set_handler(UART_VECTOR, uart);

    /* PIT: fixed delivery, physical, edge, active high */
    route(PIN_PIT, PIT_VECTOR);
    check("pin 2 entry (vector, unmasked, edge)", entry_low(PIN_PIT) & ~((1u << 12) | (1u << 14)), PIT_VECTOR);
    outb(0x43, 0x34);
    outb(0x40, 1193 & 0xFF);
    outb(0x40, 1193 >> 8);
    check_u("pit irq0 via pin 2 reached 5", wait_count(&pit_count, 5), 1);
    spin_with_interrupts();
    check_u("pit count after the handler masked the pin", pit_count, 5);
    check("pin 2 masked by handler", entry_low(PIN_PIT) & MASKED, MASKED);
    outb(0x43, 0x30);

    /* UART THR-empty on IRQ4 */
    route(PIN_UART, UART_VECTOR);
    while (!(inb(COM1 + 5) & 0x40)) {
    }
    outb(COM1 + 4, 0x0B); /* DTR, RTS, OUT2 */
    outb(COM1 + 1, 0x02);
    check_u("uart irq4 via pin 4 delivered", wait_count(&uart_count, 1), 1);
    route(PIN_UART, UART_VECTOR | MASKED);
    check_u("uart count", uart_count, 1);
    check("uart iir in handler", uart_iir & 0x0F, 0x02);

    /* an edge on a masked pin is ignored (82093AA, redirection table bit 16): raise and drop the
     * UART's line while pin 4 is masked, then unmask */
    while (!(inb(COM1 + 5) & 0x40)) {
    }
    outb(COM1 + 1, 0x02);
    spin_with_interrupts();
    check_u("uart count while pin 4 masked", uart_count, 1);
    outb(COM1 + 1, 0x00);
    (void)inb(COM1 + 2);
    route(PIN_UART, UART_VECTOR);
    spin_with_interrupts();
    check_u("uart count after unmask: the masked edge was not kept", uart_count, 1);
    route(PIN_UART, UART_VECTOR | MASKED);
    finish();
}
