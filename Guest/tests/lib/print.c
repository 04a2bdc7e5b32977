/* kprintf: the printf subset the tests need (%s %c %d %u %x %p, '0' flag, width, l/ll). */
#include "test.h"

static void put_num(uint64_t v, int base, int neg, int width, char pad) {
    char buf[24];
    int n = 0;
    do {
        buf[n++] = "0123456789abcdef"[v % base];
        v /= base;
    } while (v);
    if (neg) {
        if (pad == '0') {
            serial_putc('-');
        } else {
            buf[n++] = '-';
        }
        width--;
    }
    for (int i = n; i < width; i++) {
        serial_putc(pad);
    }
    while (n) {
        serial_putc(buf[--n]);
    }
}

void kprintf(const char *fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    for (; *fmt; fmt++) {
        if (*fmt != '%') {
            serial_putc(*fmt);
            continue;
        }
        fmt++;
        char pad = ' ';
        int width = 0, lng = 0;
        if (*fmt == '0') {
            pad = '0';
            fmt++;
        }
        while (*fmt >= '0' && *fmt <= '9') {
            width = width * 10 + (*fmt++ - '0');
        }
        while (*fmt == 'l') {
            lng++;
            fmt++;
        }
        switch (*fmt) {
        case 's': {
            const char *s = va_arg(ap, const char *);
            serial_puts(s ? s : "(null)");
            break;
        }
        case 'c':
            serial_putc((char)va_arg(ap, int));
            break;
        case 'd': {
            int64_t v = lng ? va_arg(ap, int64_t) : va_arg(ap, int);
            put_num(v < 0 ? -(uint64_t)v : (uint64_t)v, 10, v < 0, width, pad);
            break;
        }
        case 'u':
            put_num(lng ? va_arg(ap, uint64_t) : va_arg(ap, unsigned), 10, 0, width, pad);
            break;
        case 'x':
            put_num(lng ? va_arg(ap, uint64_t) : va_arg(ap, unsigned), 16, 0, width, pad);
            break;
        case 'p':
            serial_puts("0x");
            put_num((uint64_t)va_arg(ap, void *), 16, 0, width, pad);
            break;
        case '%':
            serial_putc('%');
            break;
        default:
            serial_putc('?');
            break;
        }
    }
    va_end(ap);
}
