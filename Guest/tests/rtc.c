/* rtc: the MC146818-style CMOS clock at 0x70/0x71. Register A/B/D contents the test sets or the
 * chip defines, the update-in-progress handshake before reading the time, the time registers
 * checked only for valid ranges (BCD, then binary after setting register B bit 2), and the periodic
 * interrupt on IRQ8 (through the slave 8259) counted to a fixed number. */
#include "test.h"

const char test_name[] = "rtc";

#define REG_A 0x0A
#define REG_B 0x0B
#define REG_C 0x0C
#define REG_D 0x0D

static volatile uint32_t irq8_count;
static volatile uint8_t reg_c_in_handler;

static int bcd_ok(uint8_t v, int lo, int hi) {
    if ((v & 0x0F) > 9 || (v >> 4) > 9) {
        return 0;
    }
    int n = (v >> 4) * 10 + (v & 0x0F);
    return n >= lo && n <= hi;
}

static int bin_ok(uint8_t v, int lo, int hi) { return v >= lo && v <= hi; }

struct time {
    uint8_t sec, min, hour, wday, mday, mon, year;
};

static int uip_clear(void) {
    for (uint32_t i = 0; i < 10000000; i++) {
        if (!(cmos_read(REG_A) & 0x80)) {
            return 1;
        }
    }
    return 0;
}

/* wait for UIP (register A bit 7) to clear, read, and repeat until two reads agree */
static int read_time(struct time *t) {
    struct time prev = {0};
    for (int tries = 0; tries < 10; tries++) {
        if (!uip_clear()) {
            return 0;
        }
        *t = (struct time){cmos_read(0), cmos_read(2), cmos_read(4), cmos_read(6), cmos_read(7), cmos_read(8),
                           cmos_read(9)};
        if (tries > 0 && prev.sec == t->sec && prev.min == t->min && prev.hour == t->hour && prev.mday == t->mday &&
            prev.mon == t->mon && prev.year == t->year && prev.wday == t->wday) {
            return 1;
        }
        prev = *t;
    }
    return 0;
}

static void check_time(const char *mode, int (*ok)(uint8_t, int, int)) {
    struct time t = {0};
    int read = read_time(&t);
    section(mode);
    check_u("  stable read after uip handshake", read, 1);
    check_u("  seconds valid", ok(t.sec, 0, 59), 1);
    check_u("  minutes valid", ok(t.min, 0, 59), 1);
    check_u("  hours valid (24h)", ok(t.hour, 0, 23), 1);
    check_u("  weekday valid", ok(t.wday, 1, 7), 1);
    check_u("  day valid", ok(t.mday, 1, 31), 1);
    check_u("  month valid", ok(t.mon, 1, 12), 1);
    check_u("  year valid", ok(t.year, 0, 99), 1);
}

/* the handler turns the periodic interrupt off itself at the eighth, so the count cannot race */
static void irq8(struct frame *f) {
    (void)f;
    uint8_t c = cmos_read(REG_C); /* reading C acknowledges the interrupt */
    if (irq8_count == 0) {
        reg_c_in_handler = c;
    }
    if (irq8_count < 8 && ++irq8_count == 8) { /* never past 8: one may already be latched */
        cmos_write(REG_B, cmos_read(REG_B) & ~0x40);
    }
    pic_eoi(8);
}

int main(void) {
    cmos_write(REG_A, 0x26); /* 32.768 kHz time base, periodic rate 6 (1024 Hz) */
    cmos_write(REG_B, 0x02); /* 24-hour, BCD, no interrupts */
    (void)cmos_read(REG_C);
    check("register a (without uip)", cmos_read(REG_A) & 0x7F, 0x26);
    check("register b", cmos_read(REG_B), 0x02);
    check("register d (valid ram and time)", cmos_read(REG_D), 0x80);
    check_time("bcd", bcd_ok);
    cmos_write(REG_B, 0x06); /* binary */
    check("register b binary", cmos_read(REG_B), 0x06);
    check_time("binary", bin_ok);
    cmos_write(REG_B, 0x02);

    pic_init();
    idt_set_handler(PIC_VECTOR + 8, irq8);
    pic_unmask(8);
    check("pic imr master, slave", inb(0x21) | (inb(0xA1) << 8), 0xFEFB);
    cmos_write(REG_B, 0x42); /* periodic interrupt enable */
    int reached = wait_count(&irq8_count, 8);
    check_u("irq8 reached 8", reached, 1);
    sti();
    for (volatile int i = 0; i < 200000; i++) {
    }
    cli();
    check_u("irq8 count after pie cleared", irq8_count, 8);
    check("register c in handler (IRQF PF)", reg_c_in_handler & 0xC0, 0xC0);
    check("register b after", cmos_read(REG_B), 0x02);
    pic_mask(8);
    finish();
}
