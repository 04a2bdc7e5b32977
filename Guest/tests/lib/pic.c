/* The 8259A pair: ICW1-4 remap IRQ 0-15 to vectors 0x20-0x2F (8259A datasheet), all masked. */
#include "test.h"

static uint16_t mask = 0xFFFF;

static void apply(void) {
    outb(0x21, (uint8_t)mask);
    outb(0xA1, (uint8_t)(mask >> 8));
}

void pic_init(void) {
    outb(0x20, 0x11);           /* ICW1: edge, cascade, ICW4 needed */
    outb(0xA0, 0x11);
    outb(0x21, PIC_VECTOR);     /* ICW2: vector base */
    outb(0xA1, PIC_VECTOR + 8);
    outb(0x21, 0x04);           /* ICW3: slave on IRQ2 */
    outb(0xA1, 0x02);
    outb(0x21, 0x01);           /* ICW4: 8086 mode */
    outb(0xA1, 0x01);
    mask = 0xFFFF;
    apply();
}

void pic_unmask(int irq) {
    mask &= (uint16_t)~(1u << irq);
    if (irq >= 8) {
        mask &= (uint16_t)~(1u << 2);
    }
    apply();
}

void pic_mask(int irq) {
    mask |= (uint16_t)(1u << irq);
    apply();
}

void pic_eoi(int irq) {
    if (irq >= 8) {
        outb(0xA0, 0x20);
    }
    outb(0x20, 0x20);
}
