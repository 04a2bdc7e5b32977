/* ps2: the i8042 controller at 0x60/0x64 and the keyboard and mouse behind it, polled (interrupts
 * off in the command byte, translation off so keyboard bytes arrive unchanged): controller
 * self-test and port tests, command byte write/read, keyboard reset, echo, identify and scancode
 * set query, and the mouse's identify through 0xD4 with the aux bit (status bit 5) set. */
#include "test.h"

const char test_name[] = "ps2";

#define DATA 0x60
#define STATUS 0x64

static void command(uint8_t c) {
    wait_port(STATUS, 0x02, 0x00);
    outb(STATUS, c);
}

static void send(uint8_t d) {
    wait_port(STATUS, 0x02, 0x00);
    outb(DATA, d);
}

static uint8_t last_status;

/* the next byte from the controller, or 0x100 when none arrives */
static uint32_t receive(void) {
    if (!wait_port(STATUS, 0x01, 0x01)) {
        return 0x100;
    }
    last_status = inb(STATUS);
    return inb(DATA);
}

static void flush(void) {
    for (int i = 0; i < 64 && (inb(STATUS) & 0x01); i++) {
        (void)inb(DATA);
    }
}

static void expect(const char *name, uint32_t want) { check(name, receive(), want); }

int main(void) {
    command(0xAD); /* disable keyboard */
    command(0xA7); /* disable mouse */
    flush();
    command(0xAA);
    expect("controller self-test", 0x55);
    command(0x60);
    send(0x34); /* system flag, both clocks disabled, no interrupts, no translation */
    command(0x20);
    expect("command byte", 0x34);
    check("status system flag", inb(STATUS) & 0x04, 0x04);
    command(0xAB);
    expect("keyboard interface test", 0x00);
    command(0xA9);
    expect("mouse interface test", 0x00);
    command(0xAE); /* enable keyboard: clears command byte bit 4 */
    command(0x20);
    expect("command byte after keyboard enable", 0x24);

    send(0xFF);
    expect("keyboard reset ack", 0xFA);
    expect("keyboard self-test passed", 0xAA);
    send(0xEE);
    expect("keyboard echo", 0xEE);
    send(0xF2);
    expect("keyboard identify ack", 0xFA);
    expect("keyboard id 1", 0xAB);
    expect("keyboard id 2", 0x83);
    send(0xF0);
    expect("get scancode set ack", 0xFA);
    send(0x00);
    expect("get scancode set ack 2", 0xFA);
    expect("scancode set", 0x02);
    check("keyboard byte has aux bit", last_status & 0x20, 0);

    command(0xA8); /* enable mouse */
    command(0xD4);
    send(0xF2);
    expect("mouse identify ack", 0xFA);
    check("mouse byte has aux bit", last_status & 0x20, 0x20);
    expect("mouse id", 0x00);
    check("output buffer empty", inb(STATUS) & 0x01, 0);
    finish();
}
