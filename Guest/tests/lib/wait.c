/* Bounded waits (see test.h). */
#include "test.h"

#define SPIN_LIMIT 400000000u

int wait_count(volatile uint32_t *count, uint32_t n) {
    int reached = 0;
    sti();
    for (uint32_t i = 0; i < SPIN_LIMIT; i++) {
        if (*count >= n) {
            reached = 1;
            break;
        }
        __asm__ volatile("pause");
    }
    cli();
    return reached;
}

int wait_port(uint16_t port, uint8_t mask, uint8_t want) {
    for (uint32_t i = 0; i < SPIN_LIMIT / 16; i++) {
        if ((inb(port) & mask) == want) {
            return 1;
        }
    }
    return 0;
}

void spin(void) {
    for (volatile int i = 0; i < 200000; i++) {
    }
}

void spin_with_interrupts(void) {
    sti();
    spin();
    cli();
}
