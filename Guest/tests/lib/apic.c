/* Local APIC and IOAPIC register access (SDM Vol. 3A, 12.4; 82093AA datasheet: IOREGSEL at +0,
 * IOWIN at +0x10). Both live in the identity map, which is uncached-enough for QEMU and emu. */
#include "test.h"

void lapic_enable(void) { lapic_write(LAPIC_SVR, 0x100 | 0xFF); }

uint32_t ioapic_read(uint32_t reg) {
    mmio_write32(IOAPIC, reg);
    return mmio_read32(IOAPIC + 0x10);
}

void ioapic_write(uint32_t reg, uint32_t v) {
    mmio_write32(IOAPIC, reg);
    mmio_write32(IOAPIC + 0x10, v);
}
