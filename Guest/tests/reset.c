/* reset: the four ways a PC resets, one per boot. The stage lives in a CMOS RAM byte, which a reset
 * leaves alone (it is battery-backed); RAM is not relied on. Boot 0 resets through 0xCF9 (reset
 * control register, RST_CPU), boot 1 through port 0x92 bit 0 (fast reset), boot 2 through the
 * i8042's output-port pulse (command 0xFE), boot 3 by a triple fault (IDT limit 0, then INT3), and
 * boot 4 reports PASS. Under -no-reboot the run ends at the first reset, after "boot 0". */
#include "test.h"

const char test_name[] = "reset";

#define CMOS_STAGE 0x48 /* a byte neither the RTC nor SeaBIOS uses */
#define STAGES 4

static void triple_fault(void) {
    struct __attribute__((packed)) {
        uint16_t limit;
        uint64_t base;
    } empty = {0, 0};
    /* INT3 finds no gate (#GP), the #GP finds none (#DF), the #DF finds none: shutdown, which resets */
    __asm__ volatile("lidt %0; int3" : : "m"(empty));
}

int main(void) {
    uint8_t stage = cmos_read(CMOS_STAGE);
    if (stage > STAGES) {
        stage = 0;
    }
    check_u("boot", stage, stage);
    cmos_write(CMOS_STAGE, stage + 1);
    switch (stage) {
    case 0:
        kprintf("reset through 0xcf9\n");
        outb(0xCF9, 0x06); /* SYS_RST | RST_CPU */
        break;
    case 1:
        kprintf("reset through port 0x92\n");
        check("port 0x92 before", inb(0x92) & 3, 2); /* A20 on, reset bit clear */
        outb(0x92, inb(0x92) | 1);
        break;
    case 2:
        check("port 0x92 after its reset", inb(0x92) & 3, 2);
        kprintf("reset through the i8042\n");
        outb(0x64, 0xFE); /* pulse output port bit 0, the CPU's reset line */
        break;
    case 3:
        kprintf("reset by a triple fault\n");
        triple_fault();
        break;
    default:
        cmos_write(CMOS_STAGE, 0);
        kprintf("every reset rebooted\n");
        finish();
    }
    for (volatile int i = 0; i < 1000000; i++) {
    }
    fail("the machine did not reset");
    finish();
}
