/* uart: the 16550A on COM1 (0x3F8, IRQ4): divisor latch, LCR, scratch, FIFO and IIR, loopback
 * through MCR bit 4 (a byte looped back, LSR, the modem-status wiring), then the THR-empty
 * interrupt (IER bit 1) delivered on IRQ4 through the 8259. Values seen while in loopback are
 * recorded and printed afterwards, since output does not leave the chip in loopback.
 * Not relied on: QEMU 7.2 raises IRQ4 whatever MCR.OUT2 says (seen: a THRE interrupt arrives with
 * OUT2=0), while on a PC OUT2 gates the line; so OUT2 is set whenever an interrupt is expected and
 * its gating is never tested. */
#include "test.h"

const char test_name[] = "uart";

#define COM1 0x3F8
#define RBR 0
#define THR 0
#define IER 1
#define IIR 2
#define FCR 2
#define LCR 3
#define MCR 4
#define LSR 5
#define MSR 6
#define SCR 7

static volatile uint32_t irq4_count;
static volatile uint8_t iir_in_handler, isr_in_handler;

static void drain(void) {
    if (!wait_port(COM1 + LSR, 0x60, 0x60)) { /* THR and transmitter empty */
        fail("transmitter never empties");
    }
}

static void irq4(struct frame *f) {
    (void)f;
    iir_in_handler = inb(COM1 + IIR); /* reading IIR clears the THRE interrupt */
    outb(0x20, 0x0B);                 /* OCW3: read ISR */
    isr_in_handler = inb(0x20);
    outb(COM1 + IER, 0);
    irq4_count++;
    pic_eoi(4);
}

int main(void) {
    drain();
    /* divisor latch and line control */
    outb(COM1 + IER, 0);
    outb(COM1 + LCR, 0x80);
    outb(COM1 + 0, 0x03);
    outb(COM1 + 1, 0x00);
    uint8_t dll = inb(COM1 + 0), dlm = inb(COM1 + 1), lcr_dlab = inb(COM1 + LCR);
    outb(COM1 + LCR, 0x03);
    check("dll", dll, 0x03);
    check("dlm", dlm, 0x00);
    check("lcr with dlab", lcr_dlab, 0x80);
    check("lcr 8n1", inb(COM1 + LCR), 0x03);
    outb(COM1 + SCR, 0x5A);
    check("scratch 5a", inb(COM1 + SCR), 0x5A);
    outb(COM1 + SCR, 0xA5);
    check("scratch a5", inb(COM1 + SCR), 0xA5);
    outb(COM1 + FCR, 0x07); /* FIFO on, both cleared, receive trigger 1 byte */
    check("ier", inb(COM1 + IER), 0x00);
    check("iir with fifo, nothing pending", inb(COM1 + IIR), 0xC1);
    drain();
    check("lsr idle", inb(COM1 + LSR), 0x60);

    /* loopback: THR feeds RBR; DTR, RTS, OUT1, OUT2 appear as DSR, CTS, RI, DCD */
    drain();
    outb(COM1 + MCR, 0x10);
    (void)inb(COM1 + MSR); /* clear the delta bits */
    outb(COM1 + THR, 0x42);
    int got = wait_port(COM1 + LSR, 0x01, 0x01);
    wait_port(COM1 + LSR, 0x40, 0x40);
    uint8_t lsr_ready = inb(COM1 + LSR);
    uint8_t rbr = inb(COM1 + RBR);
    uint8_t lsr_after = inb(COM1 + LSR);
    outb(COM1 + MCR, 0x11);
    uint8_t msr_dtr = inb(COM1 + MSR);
    outb(COM1 + MCR, 0x12);
    uint8_t msr_rts = inb(COM1 + MSR);
    outb(COM1 + MCR, 0x14);
    uint8_t msr_out1 = inb(COM1 + MSR);
    outb(COM1 + MCR, 0x18);
    uint8_t msr_out2 = inb(COM1 + MSR);
    outb(COM1 + MCR, 0x1F);
    (void)inb(COM1 + MSR);
    uint8_t msr_all = inb(COM1 + MSR);
    outb(COM1 + MCR, 0x0B); /* loopback off: DTR, RTS, OUT2 */
    check("loopback byte arrived", got, 1);
    check("loopback lsr with data (DR THRE TEMT)", lsr_ready, 0x61);
    check("loopback rbr", rbr, 0x42);
    check("loopback lsr after read", lsr_after, 0x60);
    check("loopback msr dtr->dsr", msr_dtr & 0xF0, 0x20);
    check("loopback msr rts->cts", msr_rts & 0xF0, 0x10);
    check("loopback msr out1->ri", msr_out1 & 0xF0, 0x40);
    check("loopback msr out2->dcd", msr_out2 & 0xF0, 0x80);
    check("loopback msr all, no deltas on second read", msr_all, 0xF0);
    check("mcr", inb(COM1 + MCR), 0x0B);

    /* THR-empty interrupt: enabling ETBEI with THR empty raises it at once */
    pic_init();
    idt_set_handler(PIC_VECTOR + 4, irq4);
    pic_unmask(4);
    check("pic imr", inb(0x21), 0xEF);
    drain();
    outb(COM1 + IER, 0x02);
    int reached = wait_count(&irq4_count, 1);
    pic_mask(4);
    check_u("irq4 delivered", reached, 1);
    check_u("irq4 count", irq4_count, 1);
    check("iir in handler (fifo, THRE)", iir_in_handler, 0xC2);
    check("pic isr in handler", isr_in_handler, 0x10);
    outb(0x20, 0x0B);
    check("pic isr after eoi", inb(0x20), 0x00);
    check("iir after", inb(COM1 + IIR), 0xC1);
    finish();
}
