/* uartd: the COM1 16550 driver, in user space. It holds only ports 0x3F8-0x3FF and IRQ 4 and
 * provides serial:. Receive is interrupt driven; transmit is buffered and refilled on THRE.
 * The FIFOs stay off: turning them on clears them, and a byte the host delivers between our last
 * read and that FCR write is lost (QEMU delivers from another thread, so typed-ahead input lost a
 * byte now and then). Without FIFOs the host waits for each byte to be read: nothing is dropped. */
#include "mica.h"

#define COM 0x3F8
#define IRQ 4
#define TXSIZE 16384
#define RXSIZE 1024

static char tx[TXSIZE], rx[RXSIZE];
static unsigned tx_head, tx_tail, rx_head, rx_tail;
static struct { int tid; long n; } readers[16];
static int nreaders;
static int syncers[16], nsyncers;

static unsigned tx_len(void) { return tx_head - tx_tail; }

static void tx_put(char c) {
    while (tx_len() == TXSIZE) {   /* full: drain by polling rather than lose data */
        while (!(inb(COM + 5) & 0x20))
            ;
        outb(COM, tx[tx_tail++ % TXSIZE]);
    }
    tx[tx_head++ % TXSIZE] = c;
}

static void kick(void) {
    /* one byte per THRE without a FIFO; emulated UARTs send at once, so keep going while THRE holds */
    for (int i = 0; i < 16 && tx_len() && inb(COM + 5) & 0x20; i++)
        outb(COM, tx[tx_tail++ % TXSIZE]);
    outb(COM + 1, tx_len() ? 0x03 : 0x01);   /* RX data, and THRE while there is more to send */
}

static void write_text(const char *s, long n) {
    for (long i = 0; i < n; i++) {
        if (s[i] == '\n')
            tx_put('\r');
        tx_put(s[i]);
    }
    kick();
}

static void service(void) {
    while (!(inb(COM + 2) & 1) || inb(COM + 5) & 1) {
        while (inb(COM + 5) & 1) {
            char c = inb(COM);
            if (rx_head - rx_tail < RXSIZE)
                rx[rx_head++ % RXSIZE] = c;
        }
        kick();
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
    if (!tx_len() && nsyncers) {
        struct msg m = { { 0 } };
        for (int i = 0; i < 100000 && !(inb(COM + 5) & 0x40); i++)   /* the last byte leaves */
            ;
        while (nsyncers)
            ipc_reply(syncers[--nsyncers], &m, NULL, 0);
    }
}

int main(const char *arg, unsigned long a2, unsigned long a3) {
    outb(COM + 1, 0);
    outb(COM + 3, 0x80);
    outb(COM + 0, 1);   /* 115200 baud */
    outb(COM + 1, 0);
    outb(COM + 3, 0x03);
    outb(COM + 2, 0);      /* FIFOs off (see above); a byte typed before we ran waits in RBR */
    outb(COM + 4, 0x0B);   /* DTR, RTS, OUT2 (the IRQ gate on a PC) */
    if (irq_bind(IRQ, 1) < 0 || scheme_register("serial") < 0) {
        printf("[uartd] cannot bind IRQ %d or register serial:\n", IRQ);
        return 1;
    }
    outb(COM + 1, 0x01);
    write_text("[uartd] ready\n", 14);
    static char buf[IPC_MAX];
    struct msg m;
    int to = 0;
    unsigned rlen = 0;
    for (;;) {
        long r = ipc_reply_recv(to, &m, buf, rlen, IPC_MAX);
        to = 0, rlen = 0;
        if (r < 0)
            continue;
        if (m.from == 0) {   /* the IRQ */
            service();
            irq_ack(IRQ);
            service();
            answer_waiters(buf);
            continue;
        }
        long res = 0;
        switch (m.w[0]) {
        case SC_OPEN: res = 1; break;
        case SC_WRITE: write_text(buf, r); res = r; break;
        case SC_READ:
            if (rx_head == rx_tail && nreaders < 16) {
                readers[nreaders].tid = m.from, readers[nreaders].n = m.w[2] < IPC_MAX ? m.w[2] : IPC_MAX;
                nreaders++;
                continue;   /* answered when data arrives */
            }
            while (res < m.w[2] && rx_head != rx_tail)
                buf[res++] = rx[rx_tail++ % RXSIZE];
            rlen = res;
            break;
        case SC_FSYNC:
            kick();
            if (tx_len() && nsyncers < 16) {
                syncers[nsyncers++] = m.from;
                continue;
            }
            break;
        case SC_FSTAT: {
            struct mica_stat st = { 0, MODE_CHAR };
            memcpy(buf, &st, sizeof st);
            rlen = sizeof st;
            break;
        }
        case SC_CLOSE: case SC_DUP: res = m.w[0] == SC_DUP ? 1 : 0; break;
        default: res = -ENOSYS;
        }
        m.w[0] = res;
        to = m.from;
    }
}
