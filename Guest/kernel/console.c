/* Early console: polled COM1, used by the kernel for its messages and panics. */
#include "kernel.h"

#define COM1 0x3F8

void console_init(void) {
    outb(COM1 + 1, 0);      /* no interrupts: uartd enables them */
    outb(COM1 + 3, 0x80);   /* divisor 1: 115200 baud */
    outb(COM1 + 0, 1);
    outb(COM1 + 1, 0);
    outb(COM1 + 3, 0x03);   /* 8N1 */
    /* FCR is left alone: turning the FIFOs on clears them, dropping a byte typed before boot (uartd
     * keeps it) */
}

void kputc(char c) {
    if (c == '\n')
        kputc('\r');
    for (int i = 0; i < 100000 && !(inb(COM1 + 5) & 0x20); i++)
        ;
    outb(COM1, c);
}

static void putnum(u64 v, int base, int width, bool neg) {
    char buf[24];
    int n = 0;
    do {
        buf[n++] = "0123456789abcdef"[v % base];
        v /= base;
    } while (v);
    if (neg)
        buf[n++] = '-';
    while (n < width)
        buf[n++] = base == 16 ? '0' : ' ';
    while (n)
        kputc(buf[--n]);
}

/* %s %c %d %u %x %p with an optional width and 'l' */
void kvprintf(const char *fmt, va_list ap) {
    for (; *fmt; fmt++) {
        if (*fmt != '%') {
            kputc(*fmt);
            continue;
        }
        int width = 0;
        bool lng = false;
        fmt++;
        while (*fmt >= '0' && *fmt <= '9')
            width = width * 10 + *fmt++ - '0';
        while (*fmt == 'l')
            lng = true, fmt++;
        switch (*fmt) {
        case 's': {
            const char *s = va_arg(ap, const char *);
            while (*s)
                kputc(*s++);
            break;
        }
        case 'c': kputc((char)va_arg(ap, int)); break;
        case 'd': {
            long v = lng ? va_arg(ap, long) : va_arg(ap, int);
            putnum(v < 0 ? -(u64)v : (u64)v, 10, width, v < 0);
            break;
        }
        case 'u': putnum(lng ? va_arg(ap, u64) : va_arg(ap, u32), 10, width, false); break;
        case 'x': putnum(lng ? va_arg(ap, u64) : va_arg(ap, u32), 16, width, false); break;
        case 'p': putnum(va_arg(ap, u64), 16, 16, false); break;
        default: kputc(*fmt);
        }
    }
}

void kprintf(const char *fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    kvprintf(fmt, ap);
    va_end(ap);
}
