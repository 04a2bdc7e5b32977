/* testdev: QEMU's test devices, as conformance kernels use them (run with -device pc-testdev
 * -device pci-testdev on QEMU and on emu).
 * pc-testdev: the 32-bit scratch register at ports 0xE0-0xE3 (byte lanes, any width) and its
 * byte-wise view at 0xE8; the 64 KiB test memory at 0xFF000000; the IRQ-line ports at 0x2000 + n,
 * which drive ISA IRQ n (an edge on the 8259: one interrupt per rising edge, none while held).
 * pci-testdev (1B36:0005): its configuration header and BAR sizes, then each BAR's three tests
 * selected through byte 0, their headers read back (number, width, offset, matched byte, name), and
 * the count after byte writes of the matched byte, a byte of another value, a word write at the
 * offset and a byte at the next offset. The "eventfd" tests stand for host notifiers that take
 * one-byte writes before the device sees them, so only the word write counts there; and a word
 * write at an odd offset is dropped whole (QEMU's memory core refuses unaligned accesses to these
 * BARs), so it counts only where the offset is even. */
#include "test.h"

const char test_name[] = "testdev";

#define PC_SCRATCH 0xE0
#define PC_SCRATCH_BYTES 0xE8
#define PC_IRQ_LINE 0x2000
#define PC_IOMEM 0xFF000000ull
#define TEST_IRQ 5

static inline void outw16(uint16_t port, uint16_t v) { outw(port, v); }
static inline uint16_t inw(uint16_t port) { uint16_t v; __asm__ volatile("inw %1, %0" : "=a"(v) : "Nd"(port)); return v; }

static volatile uint32_t irq_count;

static void irq_handler(struct frame *f) {
    (void)f;
    irq_count++;
    pic_eoi(TEST_IRQ);
}

static void pc_testdev(void) {
    section("pc-testdev scratch");
    outl(PC_SCRATCH, 0x12345678);
    check("  dword", inl(PC_SCRATCH), 0x12345678);
    if (failed()) {
        return; /* no device: its IRQ line would only be waited for */
    }
    outb(PC_SCRATCH + 1, 0xAB);
    check("  after byte to lane 1", inl(PC_SCRATCH), 0x1234AB78);
    check("  word from lane 2", inw(PC_SCRATCH + 2), 0x1234);
    check("  byte from lane 3", inb(PC_SCRATCH + 3), 0x12);
    check("  dword through 0xe8", inl(PC_SCRATCH_BYTES), 0x1234AB78);
    outl(PC_SCRATCH_BYTES, 0xCAFEBABE);
    check("  dword written through 0xe8", inl(PC_SCRATCH), 0xCAFEBABE);
    outw16(PC_SCRATCH_BYTES + 2, 0x0F0E);
    check("  word to lane 2 through 0xe8", inl(PC_SCRATCH), 0x0F0EBABE);

    section("pc-testdev memory");
    volatile uint8_t *m = (volatile uint8_t *)PC_IOMEM;
    *(volatile uint64_t *)(m + 0x100) = 0x0123456789ABCDEFull;
    check("  qword", *(volatile uint64_t *)(m + 0x100), 0x0123456789ABCDEFull);
    *(volatile uint32_t *)(m + 0x104) = 0xDEADBEEF;
    check("  dword over its upper half", *(volatile uint64_t *)(m + 0x100), 0xDEADBEEF89ABCDEFull);
    m[0x101] = 0x55;
    check("  byte", *(volatile uint32_t *)(m + 0x100), 0x89AB55EF);
    *(volatile uint16_t *)(m + 0xFFFE) = 0x7788;
    check("  last word", *(volatile uint16_t *)(m + 0xFFFE), 0x7788);

    section("pc-testdev irq line");
    pic_init();
    idt_set_handler(PIC_VECTOR + TEST_IRQ, irq_handler);
    pic_unmask(TEST_IRQ);
    sti();
    outb(PC_IRQ_LINE + TEST_IRQ, 1);
    wait_count(&irq_count, 1);
    check_u("  raised", irq_count, 1);
    spin_with_interrupts();
    check_u("  held high after eoi", irq_count, 1);
    outb(PC_IRQ_LINE + TEST_IRQ, 0);
    spin_with_interrupts();
    check_u("  lowered", irq_count, 1);
    outb(PC_IRQ_LINE + TEST_IRQ, 1);
    wait_count(&irq_count, 2);
    check_u("  raised again", irq_count, 2);
    outb(PC_IRQ_LINE + TEST_IRQ, 0);
    cli();
    pic_mask(TEST_IRQ);
}

static uint32_t pci_read(int slot, int offset) {
    outl(0xCF8, 0x80000000u | (slot << 11) | offset);
    return inl(0xCFC);
}

static void pci_write(int slot, int offset, uint32_t v) {
    outl(0xCF8, 0x80000000u | (slot << 11) | offset);
    outl(0xCFC, v);
}

static uint32_t bar_size(int slot, int bar, uint32_t type_mask) {
    uint32_t old = pci_read(slot, 0x10 + 4 * bar);
    pci_write(slot, 0x10 + 4 * bar, 0xFFFFFFFF);
    uint32_t sized = pci_read(slot, 0x10 + 4 * bar);
    pci_write(slot, 0x10 + 4 * bar, old);
    return ~(sized & ~type_mask) + 1;
}

/* A BAR of the device: memory (io == 0) or ports. */
static uint64_t bar_base;
static int bar_io;

static uint8_t rd8(uint32_t off) { return bar_io ? inb(bar_base + off) : *(volatile uint8_t *)(bar_base + off); }
static uint32_t rd32(uint32_t off) { return bar_io ? inl(bar_base + off) : *(volatile uint32_t *)(bar_base + off); }
static void wr8(uint32_t off, uint8_t v) {
    if (bar_io) outb(bar_base + off, v); else *(volatile uint8_t *)(bar_base + off) = v;
}
static void wr16(uint32_t off, uint16_t v) {
    if (bar_io) outw(bar_base + off, v); else *(volatile uint16_t *)(bar_base + off) = v;
}

static void run_test(const char *bar_name, int n) {
    wr8(0, n);
    uint8_t number = rd8(0), width = rd8(1), data = rd8(8);
    uint32_t offset = rd32(4);
    char name[32];
    int i = 0;
    while (i < 31 && (name[i] = rd8(16 + i)) != 0) {
        i++;
    }
    name[i] = 0;
    kprintf("%s test %d: number %u width %u offset 0x%x data 0x%x name %s\n", bar_name, n, number, width, offset, data, name);
    for (int k = 0; k < 3; k++) {
        wr8(offset, 0xFA);
    }
    wr8(offset, 0x11);
    wr16(offset, 0x00FA);
    wr8(offset + 1, 0xFA);
    check_u("  count", rd32(12), (n == 0 ? 3 : 0) + (offset % 2 == 0));
}

static void pci_testdev(void) {
    int slot = -1;
    for (int s = 0; s < 32; s++) {
        if (pci_read(s, 0) == 0x00051B36) {
            slot = s;
            break;
        }
    }
    check_u("pci-testdev found", slot >= 0, 1);
    if (slot < 0) {
        return;
    }
    section("pci-testdev config");
    check("  class and revision", pci_read(slot, 0x08), 0x00FF0000);
    check("  header type", (pci_read(slot, 0x0C) >> 16) & 0xFF, 0);
    check("  subsystem", pci_read(slot, 0x2C), 0x11001AF4);
    check("  interrupt pin", (pci_read(slot, 0x3C) >> 8) & 0xFF, 0);
    check("  bar0 type", pci_read(slot, 0x10) & 0xF, 0);
    check("  bar0 size", bar_size(slot, 0, 0xF), 0x1000);
    check("  bar1 type", pci_read(slot, 0x14) & 3, 1);
    check("  bar1 size", bar_size(slot, 1, 3), 0x100);
    pci_write(slot, 0x04, (pci_read(slot, 0x04) & 0xFFFF0000u) | 3); /* I/O and memory decoding */

    const char *names[2] = {"mmio", "portio"};
    for (int b = 0; b < 2; b++) {
        bar_io = b;
        bar_base = pci_read(slot, 0x10 + 4 * b) & (b ? ~3u : ~0xFu);
        section(names[b]);
        for (int n = 0; n < 3; n++) {
            run_test(names[b], n);
        }
        wr8(0, 3); /* no such test: nothing selected */
        check("  header with no test", rd32(0) | rd32(4) | rd32(12), 0);
    }
}

int main(void) {
    pc_testdev();
    pci_testdev();
    finish();
}
