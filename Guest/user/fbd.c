/* fbd: the Bochs VBE display driver. It holds the DISPI ports 0x1CE-0x1CF and, from pcid, the
 * linear framebuffer (BAR 0 of PCI device 1234:1111); it sets 1024x768x32 and draws a text
 * console (128x48 cells of 8x16) with a font converted from a Debian console font (fbdfont.h,
 * see tools/psf2c.py). Provides display:
 *   write            text onto the console (\n, \r, \b, \f clears, scrolling)
 *   open("cell X Y") then read: the 16 rows of cell (X, Y) read back from the framebuffer, one
 *                    byte per row, bit 7 leftmost (a pixel that is not background is a 1) */
#include "mica.h"
#include "fbdfont.h"

#define W 1024
#define H 768
#define COLS (W / 8)
#define ROWS (H / 16)
#define FG 0x00C0C0C0u
#define BG 0x00000020u

static inline void outw_(uint16_t port, uint16_t v) { __asm__ volatile("outw %0, %1" ::"a"(v), "Nd"(port)); }
static inline uint16_t inw_(uint16_t port) { uint16_t v; __asm__ volatile("inw %1, %0" : "=a"(v) : "Nd"(port)); return v; }

static void dispi(int index, uint16_t v) { outw_(0x1CE, index), outw_(0x1CF, v); }
static uint16_t dispi_read(int index) { outw_(0x1CE, index); return inw_(0x1CF); }

static volatile uint32_t *fb;
static int cx, cy;

static void draw(int col, int row, char c) {
    const unsigned char *g = c >= 0x20 && c < 0x7F ? font8x16[c - 0x20] : font8x16[0];
    for (int y = 0; y < 16; y++) {
        volatile uint32_t *p = fb + (row * 16 + y) * W + col * 8;
        for (int x = 0; x < 8; x++)
            p[x] = g[y] & (0x80 >> x) ? FG : BG;
    }
}

static void scroll(void) {
    for (long i = 0; i < (long)W * (H - 16); i++)
        fb[i] = fb[i + W * 16];
    for (long i = (long)W * (H - 16); i < (long)W * H; i++)
        fb[i] = BG;
}

static void put(char c) {
    if (c == '\f') {   /* clear the screen */
        for (long i = 0; i < (long)W * H; i++)
            fb[i] = BG;
        cx = cy = 0;
    } else if (c == '\n') {
        cx = 0, cy++;
    } else if (c == '\r') {
        cx = 0;
    } else if (c == '\b') {
        if (cx)
            cx--;
    } else {
        draw(cx, cy, c);
        if (++cx == COLS)
            cx = 0, cy++;
    }
    if (cy == ROWS) {
        scroll();
        cy = ROWS - 1;
    }
}

static long cell_rows(int col, int row, unsigned char *out) {
    if (col < 0 || col >= COLS || row < 0 || row >= ROWS)
        return -EINVAL;
    for (int y = 0; y < 16; y++) {
        unsigned char bits = 0;
        for (int x = 0; x < 8; x++)
            if (fb[(row * 16 + y) * W + col * 8 + x] != BG)
                bits |= 0x80 >> x;
        out[y] = bits;
    }
    return 16;
}

static struct { int col, row; bool used; } handles[16];

static long lfb_address(unsigned long *base) {
    long fd = -1;
    for (int i = 0; i < 3000 && (fd = open("pci:1234:1111")) == -ENODEV; i++)
        sleep_ms(1);
    if (fd < 0)
        return fd;
    char info[256];
    long n = read(fd, info, sizeof info - 1);
    close(fd);
    if (n <= 0)
        return -EIO;
    info[n] = 0;
    const char *b = strchr(info, '=');
    if (strncmp(info, "bar0=", 5) || !b)
        return -ENODEV;
    *base = strtoul(b + 1, NULL, 0);
    return 0;
}

int main(const char *arg, unsigned long a2, unsigned long a3) {
    unsigned long base = 0;
    long r = lfb_address(&base);
    uint16_t id = dispi_read(0);
    if (r < 0 || id < 0xB0C0 || id > 0xB0CF) {
        printf("[fbd] no Bochs VBE display (pci %d, id %x)\n", (int)r, id);
        return 1;
    }
    long va = sys2(SYS_MAP_PHYS, base, (long)W * H * 4);
    if (va < 0) {
        printf("[fbd] cannot map the framebuffer at %lx: %d\n", base, (int)va);
        return 1;
    }
    fb = (volatile uint32_t *)va;
    dispi(4, 0);   /* ENABLE off while the mode changes */
    dispi(1, W), dispi(2, H), dispi(3, 32);
    dispi(4, 0x41);   /* enabled, linear framebuffer */
    for (long i = 0; i < (long)W * H; i++)
        fb[i] = BG;
    if (scheme_register("display") < 0)
        return 1;
    const char *hello = "Mica display console\n";
    for (const char *s = hello; *s; s++)
        put(*s);
    printf("[fbd] ready\n");
    static char buf[IPC_MAX];
    struct msg m;
    int to = 0;
    unsigned rlen = 0;
    for (;;) {
        r = ipc_reply_recv(to, &m, buf, rlen, IPC_MAX);
        to = 0, rlen = 0;
        if (r < 0 || m.from == 0)
            continue;
        long res = 0, h = m.w[1];
        bool cell = h >= 2 && h < 16 && handles[h].used;
        switch (m.w[0]) {
        case SC_OPEN:
            buf[r < IPC_MAX ? r : IPC_MAX - 1] = 0;
            res = 1;
            if (!strncmp(buf, "cell ", 5)) {
                res = -EMFILE;
                for (int k = 2; k < 16; k++)
                    if (!handles[k].used) {
                        const char *rest;
                        handles[k].col = strtoul(buf + 5, &rest, 10);
                        handles[k].row = strtoul(rest + (*rest == ' '), NULL, 10);
                        handles[k].used = true;
                        res = k;
                        break;
                    }
            }
            break;
        case SC_WRITE:
            for (long i = 0; i < r; i++)
                put(buf[i]);
            res = r;
            break;
        case SC_READ:
            res = cell ? cell_rows(handles[h].col, handles[h].row, (unsigned char *)buf) : 0;
            rlen = res > 0 ? res : 0;
            break;
        case SC_CLOSE:
            if (cell)
                handles[h].used = false;
            break;
        case SC_FSTAT: {
            struct mica_stat st = { 0, MODE_CHAR };
            memcpy(buf, &st, sizeof st);
            rlen = sizeof st;
            break;
        }
        case SC_DUP: res = h; break;
        case SC_FSYNC: break;
        default: res = -ENOSYS;
        }
        m.w[0] = res;
        to = m.from;
    }
}
