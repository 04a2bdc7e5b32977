/* pcid: PCI enumeration through configuration mechanism 1 (ports 0xCF8-0xCFF, which it alone
 * holds). It lists bus 0 at start and provides pci:
 *   open("pci:VVVV:DDDD")              read -> "bar0=BASE:SIZE ... irq=N\n" for that device, with
 *                                      "vcap=TYPE:BAR:OFFSET:LENGTH:MULT" for each vendor-specific
 *                                      capability (virtio 1.1 4.1.4: where its structures are)
 *   open("pci:grant VVVV:DDDD PID")    passes the device's memory BARs and IRQ on to PID; only
 *                                      pcid's parent (the supervisor rs, which starts the driver
 *                                      init.rc names for the device) may ask. */
#include "mica.h"

static inline void outl_(uint16_t port, uint32_t v) { __asm__ volatile("outl %0, %1" ::"a"(v), "Nd"(port)); }
static inline uint32_t inl_(uint16_t port) { uint32_t v; __asm__ volatile("inl %1, %0" : "=a"(v) : "Nd"(port)); return v; }

static uint32_t cfg_read(int dev, int fn, int reg) {
    outl_(0xCF8, 0x80000000u | dev << 11 | fn << 8 | (reg & 0xFC));
    return inl_(0xCFC);
}

static void cfg_write(int dev, int fn, int reg, uint32_t v) {
    outl_(0xCF8, 0x80000000u | dev << 11 | fn << 8 | (reg & 0xFC));
    outl_(0xCFC, v);
}

struct vcap { uint8_t type, bar; uint32_t offset, length, mult; };
struct device { uint16_t vendor, id; uint8_t dev, fn, irq, nvcaps; uint32_t bar[6], size[6]; struct vcap vcaps[6]; };
static struct device devs[32];
static int ndevs;

static void scan(void) {
    for (int dev = 0; dev < 32; dev++)
        for (int fn = 0; fn < 8 && ndevs < 32; fn++) {
            uint32_t id = cfg_read(dev, fn, 0);
            if ((id & 0xFFFF) == 0xFFFF) {
                if (fn == 0)
                    break;
                continue;
            }
            struct device *d = &devs[ndevs++];
            d->vendor = id, d->id = id >> 16, d->dev = dev, d->fn = fn;
            d->irq = cfg_read(dev, fn, 0x3C) & 0xFF;
            bool header0 = ((cfg_read(dev, fn, 0x0C) >> 16) & 0x7F) == 0;
            for (int b = 0; header0 && b < 6; b++) {
                int reg = 0x10 + 4 * b;
                uint32_t v = cfg_read(dev, fn, reg);
                cfg_write(dev, fn, reg, 0xFFFFFFFFu);   /* the size: the bits that stay zero */
                uint32_t mask = cfg_read(dev, fn, reg);
                cfg_write(dev, fn, reg, v);
                if (!v || !mask)
                    continue;
                d->bar[b] = v;
                d->size[b] = v & 1 ? (~(mask & ~3u) + 1) & 0xFFFF : ~(mask & ~15u) + 1;
                if ((v & 7) == 4)
                    b++;   /* a 64-bit BAR takes two slots; its upper half is 0 below 4 GiB */
            }
            if (cfg_read(dev, fn, 0x04) & (0x10u << 16))   /* status: a capability list */
                for (int at = cfg_read(dev, fn, 0x34) & 0xFC, n = 0; at && n < 48; at = (cfg_read(dev, fn, at) >> 8) & 0xFC, n++) {
                    uint32_t h = cfg_read(dev, fn, at);
                    if ((h & 0xFF) != 0x09 || d->nvcaps == 6)
                        continue;
                    struct vcap *c = &d->vcaps[d->nvcaps++];
                    c->type = h >> 24, c->bar = cfg_read(dev, fn, at + 4) & 0xFF;
                    c->offset = cfg_read(dev, fn, at + 8), c->length = cfg_read(dev, fn, at + 12);
                    c->mult = ((h >> 16) & 0xFF) >= 20 ? cfg_read(dev, fn, at + 16) : 0;
                }
            if (!(cfg_read(dev, fn, 0x0C) & 0x800000))
                if (fn == 0)
                    fn = 8;   /* not multi-function */
        }
}

static struct device *lookup(const char *s) {
    const char *rest;
    unsigned v = strtoul(s, &rest, 16), i = *rest == ':' ? strtoul(rest + 1, NULL, 16) : 0;
    for (int k = 0; k < ndevs; k++)
        if (devs[k].vendor == v && devs[k].id == i)
            return &devs[k];
    return NULL;
}

static int describe(struct device *d, char *out, size_t cap) {
    int n = 0;
    for (int b = 0; b < 6; b++)
        if (d->bar[b])
            n += snprintf(out + n, cap - n, "bar%d=%s0x%x:0x%x ", b, d->bar[b] & 1 ? "io" : "", d->bar[b] & (d->bar[b] & 1 ? ~3u : ~15u),
                          d->size[b]);
    for (int i = 0; i < d->nvcaps; i++)
        n += snprintf(out + n, cap - n, "vcap=%d:%d:0x%x:0x%x:%d ", d->vcaps[i].type, d->vcaps[i].bar, d->vcaps[i].offset,
                      d->vcaps[i].length, d->vcaps[i].mult);
    n += snprintf(out + n, cap - n, "irq=%d\n", d->irq);
    return n;
}

static int parent_pid(void) {
    struct procinfo pi;
    int me = getpid();
    for (long i = 0; (i = sys2(SYS_PROCINFO, i, &pi)) > 0;)
        if (pi.pid == me)
            return pi.parent;
    return 0;
}

static char out[256];

static long handle_open(char *path, int caller) {
    struct device *d;
    if (!strncmp(path, "grant ", 6)) {
        if (caller != parent_pid())
            return -EPERM;
        char *pid = strchr(path + 6, ' ');
        if (!pid || !(d = lookup(path + 6)))
            return -ENOENT;
        int to = strtoul(pid + 1, NULL, 10);
        for (int b = 0; b < 6; b++)
            if (d->bar[b] && !(d->bar[b] & 1)) {
                uint32_t base = d->bar[b] & ~15u, size = (d->size[b] + 4095) & ~4095u;
                long r = grant_mem(to, base, size);
                if (r < 0)
                    printf("[pcid] grant of bar%d to %d failed: %d\n", b, to, (int)r);
            }
        if (d->irq && d->irq < 24)
            grant_irq(to, d->irq);   /* only if pcid was given the line */
        return snprintf(out, sizeof out, "granted\n");
    }
    if (!(d = lookup(path)))
        return -ENOENT;
    return describe(d, out, sizeof out);
}

int main(const char *arg, unsigned long a2, unsigned long a3) {
    scan();
    for (int k = 0; k < ndevs; k++) {
        describe(&devs[k], out, sizeof out);
        printf("[pcid] 00:%02x.%d %04x:%04x %s", devs[k].dev, devs[k].fn, devs[k].vendor, devs[k].id, out);
    }
    if (scheme_register("pci") < 0)
        return 1;
    printf("[pcid] ready\n");
    static char buf[256];
    struct msg m;
    int to = 0;
    unsigned rlen = 0;
    size_t outlen = 0, outoff = 0;
    for (;;) {
        long r = ipc_reply_recv(to, &m, buf, rlen, sizeof buf - 1);
        to = 0, rlen = 0;
        if (r < 0 || m.from == 0)
            continue;
        long res = 0;
        switch (m.w[0]) {
        case SC_OPEN: {
            buf[r < 255 ? r : 255] = 0;
            long n = handle_open(buf, m.w[3]);
            outlen = n < 0 ? 0 : n, outoff = 0;
            res = n < 0 ? n : 1;
            break;
        }
        case SC_READ: {
            size_t n = outlen - outoff;
            if (n > (size_t)m.w[2])
                n = m.w[2];
            m.w[0] = n;
            ipc_reply(m.from, &m, out + outoff, n);
            outoff += n;
            continue;
        }
        case SC_CLOSE: case SC_FSYNC: res = 0; break;
        case SC_DUP: res = 1; break;
        default: res = -ENOSYS;
        }
        m.w[0] = res;
        to = m.from;
    }
}
