/* ps2d: the i8042 keyboard driver. It holds ports 0x60 and 0x64 and IRQ 1 and provides input:
 * (characters, US layout; a read waits for at least one). The controller is told to translate
 * to scancode set 1 (configuration bit 6), so set 2 keyboards arrive as set 1 too. */
#include "mica.h"

#define DATA 0x60
#define STATUS 0x64
#define IRQ 1
#define RXSIZE 256

static char rx[RXSIZE];
static unsigned rx_head, rx_tail;
static struct { int tid; long n; } readers[16];
static int nreaders;
static bool shift, ctrl, caps;

/* Set 1 make codes 0x00-0x39 to characters, unshifted and shifted. */
static const char plain[] = "\0\0331234567890-=\b\tqwertyuiop[]\n\0asdfghjkl;'`\0\\zxcvbnm,./\0*\0 ";
static const char shifted[] = "\0\033!@#$%^&*()_+\b\tQWERTYUIOP{}\n\0ASDFGHJKL:\"~\0|ZXCVBNM<>?\0*\0 ";

static bool wait_write(void) {
    for (int i = 0; i < 100000; i++)
        if (!(inb(STATUS) & 2))
            return true;
    return false;
}

static bool wait_read(void) {
    for (int i = 0; i < 100000; i++)
        if (inb(STATUS) & 1)
            return true;
    return false;
}

static void scancode(uint8_t sc) {
    bool up = sc & 0x80;
    uint8_t code = sc & 0x7F;
    if (code == 0x2A || code == 0x36) {
        shift = !up;
        return;
    }
    if (code == 0x1D) {
        ctrl = !up;
        return;
    }
    if (up || sc == 0xE0)
        return;
    if (code == 0x3A) {
        caps = !caps;
        return;
    }
    if (code >= sizeof plain - 1 || !plain[code])
        return;
    char c = shift ? shifted[code] : plain[code];
    if (caps && c >= 'a' && c <= 'z')
        c -= 32;
    else if (caps && c >= 'A' && c <= 'Z')
        c += 32;
    if (ctrl && ((c | 32) >= 'a' && (c | 32) <= 'z'))
        c = (c | 32) - 'a' + 1;
    if (rx_head - rx_tail < RXSIZE)
        rx[rx_head++ % RXSIZE] = c;
}

static void service(void) {
    uint8_t st;
    while ((st = inb(STATUS)) & 1) {
        uint8_t b = inb(DATA);
        if (!(st & 0x20))   /* not from the mouse port */
            scancode(b);
    }
}

static void answer_waiters(char *buf) {
    while (nreaders && rx_head != rx_tail) {
        long n = 0;
        while (n < readers[0].n && rx_head != rx_tail)
            buf[n++] = rx[rx_tail++ % RXSIZE];
        struct msg m = { { n } };
        ipc_reply(readers[0].tid, &m, buf, n);
        memmove(readers, readers + 1, --nreaders * sizeof readers[0]);
    }
}

int main(const char *arg, unsigned long a2, unsigned long a3) {
    /* keys typed now must not be taken for the configuration byte: keyboard port off meanwhile */
    if (wait_write())
        outb(STATUS, 0xAD);
    service();   /* drop what is pending */
    uint8_t cfg = 0;
    if (wait_write()) {
        outb(STATUS, 0x20);   /* read the configuration byte */
        if (wait_read())
            cfg = inb(DATA);
    }
    cfg |= 0x41;   /* keyboard IRQ on, translation to set 1 on */
    cfg &= ~0x10;  /* keyboard clock enabled */
    if (!wait_write()) {
        printf("[ps2d] no i8042\n");
        return 1;
    }
    outb(STATUS, 0x60);
    wait_write();
    outb(DATA, cfg);
    wait_write();
    outb(STATUS, 0xAE);   /* enable the keyboard port */
    /* Keys typed while the firmware had translation off wait in the keyboard's queue as set 2 codes
     * (a set 2 'M' reads as set 1 Caps Lock). Resetting the keyboard empties its queue; it answers
     * FA (acknowledge) and AA (self-test passed) and comes back scanning. */
    if (wait_write()) {
        outb(DATA, 0xFF);
        for (int i = 0; i < 2 && wait_read(); i++)
            inb(DATA);
    }
    if (irq_bind(IRQ, 1) < 0 || scheme_register("input") < 0) {
        printf("[ps2d] cannot bind IRQ %d or register input:\n", IRQ);
        return 1;
    }
    service();
    printf("[ps2d] ready\n");
    static char buf[IPC_MAX];
    struct msg m;
    int to = 0;
    unsigned rlen = 0;
    for (;;) {
        long r = ipc_reply_recv(to, &m, buf, rlen, IPC_MAX);
        to = 0, rlen = 0;
        if (r < 0)
            continue;
        if (m.from == 0) {
            service();
            irq_ack(IRQ);
            service();
            answer_waiters(buf);
            continue;
        }
        long res = 0;
        switch (m.w[0]) {
        case SC_OPEN: res = 1; break;
        case SC_READ:
            if (rx_head == rx_tail && nreaders < 16) {
                readers[nreaders].tid = m.from, readers[nreaders].n = m.w[2] < IPC_MAX ? m.w[2] : IPC_MAX;
                nreaders++;
                continue;
            }
            while (res < m.w[2] && rx_head != rx_tail)
                buf[res++] = rx[rx_tail++ % RXSIZE];
            rlen = res;
            break;
        case SC_FSTAT: {
            struct mica_stat st = { 0, MODE_CHAR };
            memcpy(buf, &st, sizeof st);
            rlen = sizeof st;
            break;
        }
        case SC_CLOSE: case SC_FSYNC: break;
        case SC_DUP: res = 1; break;
        default: res = -ENOSYS;
        }
        m.w[0] = res;
        to = m.from;
    }
}
