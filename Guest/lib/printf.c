/* Formatted output: to serial: once it is open, before that to the kernel's console. */
#include "mica.h"

int stdout_fd = -1;

bool stdio_open(void) {
    if (stdout_fd < 0) {
        long fd = open("serial:");
        if (fd >= 0)
            stdout_fd = fd;
    }
    return stdout_fd >= 0;
}

struct out { char *buf; size_t n, len; };

static void put(struct out *o, char c) {
    if (o->len + 1 < o->n)
        o->buf[o->len] = c;
    o->len++;
}

static void num(struct out *o, unsigned long v, int base, int width, bool neg, char pad) {
    char tmp[24];
    int n = 0;
    do {
        tmp[n++] = "0123456789abcdef"[v % base];
        v /= base;
    } while (v);
    if (neg)
        tmp[n++] = '-';
    while (n < width)
        tmp[n++] = pad;
    while (n)
        put(o, tmp[--n]);
}

/* %s %c %d %u %x %p with width, '0' and '-' (strings) and 'l' */
int vsnprintf(char *buf, size_t n, const char *fmt, va_list ap) {
    struct out o = { buf, n, 0 };
    for (; *fmt; fmt++) {
        if (*fmt != '%') {
            put(&o, *fmt);
            continue;
        }
        fmt++;
        bool left = false, lng = false;
        char pad = ' ';
        int width = 0;
        if (*fmt == '-')
            left = true, fmt++;
        if (*fmt == '0')
            pad = '0', fmt++;
        while (*fmt >= '0' && *fmt <= '9')
            width = width * 10 + *fmt++ - '0';
        while (*fmt == 'l')
            lng = true, fmt++;
        switch (*fmt) {
        case 's': {
            const char *s = va_arg(ap, const char *);
            int len = strlen(s);
            for (int i = len; !left && i < width; i++)
                put(&o, ' ');
            while (*s)
                put(&o, *s++);
            for (int i = len; left && i < width; i++)
                put(&o, ' ');
            break;
        }
        case 'c': put(&o, (char)va_arg(ap, int)); break;
        case 'd': {
            long v = lng ? va_arg(ap, long) : va_arg(ap, int);
            num(&o, v < 0 ? -(unsigned long)v : (unsigned long)v, 10, width, v < 0, pad);
            break;
        }
        case 'u': num(&o, lng ? va_arg(ap, unsigned long) : va_arg(ap, unsigned), 10, width, false, pad); break;
        case 'x': num(&o, lng ? va_arg(ap, unsigned long) : va_arg(ap, unsigned), 16, width, false, pad); break;
        case 'p': num(&o, (unsigned long)va_arg(ap, void *), 16, 0, false, pad); break;
        case '%': put(&o, '%'); break;
        default: put(&o, *fmt);
        }
    }
    if (n)
        buf[o.len < n ? o.len : n - 1] = 0;
    return o.len;
}

int snprintf(char *buf, size_t n, const char *fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    int r = vsnprintf(buf, n, fmt, ap);
    va_end(ap);
    return r;
}

/* After serial:'s daemon died (-EPIPE), waits up to ms for it to come back and reopens. */
bool stdio_reopen(long ms) {
    if (stdout_fd >= 0)
        close(stdout_fd);
    stdout_fd = -1;
    for (long i = 0; i < ms && !stdio_open(); i++)
        sleep_ms(1);
    return stdout_fd >= 0;
}

/* A write lost to a dead driver is retried once it is back (writes to a console are taken as
 * idempotent: a line may appear twice, none goes missing); failing that, the kernel log. */
bool console_mirror;
static int display_fd = -1;

void puts_raw(const char *s) {
    size_t n = strlen(s);
    if (console_mirror) {   /* the same text on display: (fbd) when it is there */
        if (display_fd < 0)
            display_fd = open("display:");
        if (display_fd >= 0 && write(display_fd, s, n) < 0) {
            close(display_fd);
            display_fd = -1;
        }
    }
    if (stdout_fd >= 0 && write(stdout_fd, s, n) == -EPIPE && stdio_reopen(2000))
        write(stdout_fd, s, n);
    if (stdout_fd < 0)
        sys1(SYS_KLOG, s);
}

int printf(const char *fmt, ...) {
    char buf[512];
    va_list ap;
    va_start(ap, fmt);
    int r = vsnprintf(buf, sizeof buf, fmt, ap);
    va_end(ap);
    puts_raw(buf);
    return r;
}
