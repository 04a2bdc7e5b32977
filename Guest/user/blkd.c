/* blkd: the virtio-blk driver (virtio 1.1 sections 4.1.4 and 5.2), in user space. It holds only
 * the device's memory BARs and IRQ (passed on by pcid, see init.rc's pci=) and a few pages of DMA
 * memory (dma=), and serves disk: (the first virtio disk):
 *   open("disk:")   a handle with a byte position (0)
 *   seek(fd, off)   sets the position (a multiple of 512)
 *   read/write      whole 512-byte sectors at the position, at most 2048 bytes (one IPC payload);
 *                   the position moves on; -EIO when the device reports an error, -EINVAL when
 *                   unaligned or past the end, -EROFS-like -EPERM on a read-only disk
 *   fsync           VIRTIO_BLK_T_FLUSH: what was written is on the host's disk
 *   fstat           size in bytes
 * Up to SLOTS requests are in the device at once; a client's reply is deferred until its request
 * completes. blkd resets the device before it takes any DMA memory, so after a restart nothing the
 * previous instance asked for can still land in memory (see kernel/grant.c). */
#include "mica.h"

#define QN 16                 /* queue entries */
#define SLOTS 5               /* requests in flight: three descriptors each */
#define MAXIO 2048
#define NOTE_IRQ 1ul
#define T_IN 0
#define T_OUT 1
#define T_FLUSH 4
#define F_RO (1u << 5)
#define F_FLUSH (1u << 9)
#define S_ACK 1
#define S_DRIVER 2
#define S_DRIVER_OK 4
#define S_FEATURES_OK 8
#define barrier() __asm__ volatile("" ::: "memory")

struct common {   /* virtio 1.1 4.1.4.3 */
    uint32_t dfselect, dfeature, gfselect, gfeature;
    uint16_t msix, nqueues;
    uint8_t status, generation;
    uint16_t qselect, qsize, qmsix, qenable, qnotify_off;
    uint32_t qdesc_lo, qdesc_hi, qdriver_lo, qdriver_hi, qdevice_lo, qdevice_hi;
};
struct desc { uint64_t addr; uint32_t len; uint16_t flags, next; };
struct avail { uint16_t flags, idx, ring[QN], used_event; };
struct used { uint16_t flags, idx; struct { uint32_t id, len; } ring[QN]; uint16_t avail_event; };
struct header { uint32_t type, reserved; uint64_t sector; };

static volatile struct common *common;
static volatile uint8_t *isr;
static volatile uint16_t *doorbell;
static volatile struct desc *descs;
static volatile struct avail *avail;
static volatile struct used *used;
static uint16_t last_used;
static uint64_t capacity;     /* bytes */
static bool read_only, can_flush;
static int irq;

static struct slot {
    bool busy;
    int tid, handle;
    long op, count;
    volatile struct header *hdr;
    volatile uint8_t *status;
    uint8_t *data;
    uint64_t hdr_pa, data_pa;
} slots[SLOTS];

static struct { bool used; int owner; uint64_t pos; } handles[32];

/* Client requests waiting for a free slot. */
static struct waiting { struct msg m; int len; char data[MAXIO]; } waiting[8];
static int nwaiting;

static void fail(const char *why) {
    printf("[blkd] %s\n", why);
    exit(1);
}

/* "name=0xVALUE" in the pci: description, from the given start. */
static const char *field(const char *s, const char *name) {
    const char *p = s;
    size_t n = strlen(name);
    while ((p = strchr(p, name[0])))
        if (!strncmp(p, name, n) && (p == s || p[-1] == ' '))
            return p + n;
        else
            p++;
    return NULL;
}

static void setup(void) {
    static char d[256];
    long fd = -1;
    for (int i = 0; i < 5000 && (fd = open("pci:1af4:1001")) == -ENODEV; i++)
        sleep_ms(1);   /* pci: is not up yet; once it is, -ENOENT means there is no disk */
    if (fd < 0) {   /* a machine without a disk: stay, quietly, so rs does not restart us in a loop */
        printf("[blkd] no virtio disk\n");
        for (;;)
            sleep_ms(1000000);
    }
    long n = read(fd, d, sizeof d - 1);
    close(fd);
    d[n > 0 ? n : 0] = 0;
    const char *v = field(d, "irq=");
    irq = v ? strtoul(v, NULL, 10) : 0;
    /* the vendor capabilities: vcap=TYPE:BAR:OFFSET:LENGTH:MULT; all in one BAR here */
    uint64_t off[5] = { 0 }, mult = 0;
    int bar = -1;
    for (const char *c = d; (c = field(c, "vcap=")); ) {
        const char *r;
        unsigned type = strtoul(c, &r, 10), b = strtoul(r + 1, &r, 10);
        uint64_t o = strtoul(r + 1, &r, 0);
        strtoul(r + 1, &r, 0);
        unsigned long m = strtoul(r + 1, &r, 10);
        if (type >= 1 && type <= 4 && (bar < 0 || (int)b == bar)) {
            bar = b, off[type] = o;
            if (type == 2)
                mult = m;
        }
    }
    char name[8];
    snprintf(name, sizeof name, "bar%d=", bar);
    const char *bv = bar >= 0 ? field(d, name) : NULL;
    if (!bv || !irq || !off[2] || !mult)
        fail("the disk has no virtio 1.x capabilities");
    const char *r;
    uint64_t base = strtoul(bv, &r, 0), size = strtoul(r + 1, NULL, 0);
    long va = sys2(SYS_MAP_PHYS, base, (size + 4095) & ~4095ul);
    if (va < 0)
        fail("cannot map the disk's BAR (not granted?)");
    common = (void *)(va + off[1]);
    doorbell = (void *)(va + off[2]);
    isr = (void *)(va + off[3]);
    volatile uint8_t *config = (void *)(va + off[4]);

    /* 3.1.1: reset (this also stops whatever a previous blkd left in the device), then negotiate */
    common->status = 0;
    while (common->status)
        yield();
    common->status = S_ACK | S_DRIVER;
    common->dfselect = 1;
    if (!(common->dfeature & 1))
        fail("the disk does not offer VIRTIO_F_VERSION_1");
    common->dfselect = 0;
    uint32_t f = common->dfeature;
    read_only = f & F_RO, can_flush = f & F_FLUSH;
    common->gfselect = 0;
    common->gfeature = f & (F_RO | F_FLUSH);
    common->gfselect = 1;
    common->gfeature = 1;
    common->status = S_ACK | S_DRIVER | S_FEATURES_OK;
    if (!(common->status & S_FEATURES_OK))
        fail("the disk refused our features");

    uint64_t pa[5];
    uint8_t *mem = dma_map(5 * 4096, pa);
    if ((long)mem < 0)
        fail("no DMA memory (not granted?)");
    common->qselect = 0;
    if (common->qsize < QN)
        fail("the disk's queue is too small");
    common->qsize = QN;
    descs = (void *)mem, avail = (void *)(mem + 256), used = (void *)(mem + 512);
    common->qdesc_lo = pa[0], common->qdesc_hi = pa[0] >> 32;
    common->qdriver_lo = pa[0] + 256, common->qdriver_hi = (pa[0] + 256) >> 32;
    common->qdevice_lo = pa[0] + 512, common->qdevice_hi = (pa[0] + 512) >> 32;
    doorbell = (volatile uint16_t *)((volatile uint8_t *)doorbell + common->qnotify_off * mult);
    common->qenable = 1;
    for (int i = 0; i < SLOTS; i++) {
        struct slot *s = &slots[i];
        s->hdr = (void *)(mem + 4096 + 32 * i), s->hdr_pa = pa[1] + 32 * i;
        s->status = (uint8_t *)s->hdr + 16;
        s->data = mem + 8192 + 2048 * i, s->data_pa = pa[2 + i / 2] + 2048 * (i % 2);
    }
    capacity = *(volatile uint64_t *)config * 512;
    common->status = S_ACK | S_DRIVER | S_FEATURES_OK | S_DRIVER_OK;
    if (irq_bind(irq, NOTE_IRQ) < 0)
        fail("cannot bind the disk's IRQ (not granted?)");
    printf("[blkd] virtio disk: %lu sectors%s, irq %d\n", (unsigned long)(capacity / 512), read_only ? " (read-only)" : "", irq);
}

/* Puts a request into the ring; the reply goes out when it completes. */
static void submit(struct slot *s, uint32_t type, uint64_t sector, uint32_t len) {
    int i = s - slots, d0 = 3 * i;
    s->hdr->type = type, s->hdr->reserved = 0, s->hdr->sector = sector;
    *s->status = 0xFF;
    descs[d0] = (struct desc){ s->hdr_pa, 16, 1, d0 + 1 };
    if (len) {
        descs[d0 + 1] = (struct desc){ s->data_pa, len, 1 | (type == T_IN ? 2 : 0), d0 + 2 };
        descs[d0 + 2] = (struct desc){ s->hdr_pa + 16, 1, 2, 0 };
    } else {
        descs[d0 + 1] = (struct desc){ s->hdr_pa + 16, 1, 2, 0 };
    }
    avail->ring[avail->idx % QN] = d0;
    barrier();
    avail->idx++;
    barrier();
    *doorbell = 0;
}

static bool alive(int pid) {
    struct procinfo pi;
    for (long i = 0; (i = sys2(SYS_PROCINFO, i, &pi)) > 0;)
        if (pi.pid == pid)
            return pi.state != PS_ZOMBIE;
    return false;
}

/* A free handle; when none is, those of clients that died (a killed ext2fs, say) are taken back. */
static long new_handle(int owner) {
    for (int pass = 0; pass < 2; pass++)
        for (int i = 0; i < 32; i++) {
            if (pass && handles[i].used && !alive(handles[i].owner))
                handles[i].used = false;
            if (!handles[i].used) {
                handles[i].used = true, handles[i].owner = owner, handles[i].pos = 0;
                return i;
            }
        }
    return -EMFILE;
}

static void reply(int tid, long result, const void *data, unsigned len) {
    struct msg m = { { result } };
    ipc_reply(tid, &m, data, len);
}

/* Starts a client request, or says why it cannot be (a negative error); 0 = no free slot. */
static long begin(struct msg *m, const char *data, int len) {
    long op = m->w[0], h = m->w[1], n = m->w[2];
    struct slot *s = NULL;
    for (int i = 0; i < SLOTS && !s; i++)
        if (!slots[i].busy)
            s = &slots[i];
    if (!s)
        return 0;
    if (op == SC_FSYNC) {
        if (!can_flush)
            return reply(m->from, 0, NULL, 0), 1;
        s->busy = true, s->tid = m->from, s->op = op, s->count = 0, s->handle = h;
        submit(s, T_FLUSH, 0, 0);
        return 1;
    }
    uint64_t pos = handles[h].pos;
    if (op == SC_WRITE)
        n = len;
    if (n <= 0 || n > MAXIO || n % 512 || pos % 512 || pos + n > capacity)
        return n == 0 ? (reply(m->from, 0, NULL, 0), 1) : -EINVAL;
    if (op == SC_WRITE && read_only)
        return -EPERM;
    s->busy = true, s->tid = m->from, s->op = op, s->count = n, s->handle = h;
    if (op == SC_WRITE)
        memcpy(s->data, data, n);
    submit(s, op == SC_WRITE ? T_OUT : T_IN, pos / 512, n);
    return 1;
}

static void harvest(void) {
    while (last_used != used->idx) {
        barrier();
        uint32_t id = used->ring[last_used % QN].id;
        last_used++;
        struct slot *s = &slots[id / 3];
        if (id % 3 || id / 3 >= SLOTS || !s->busy)
            continue;
        s->busy = false;
        if (*s->status != 0) {
            reply(s->tid, -EIO, NULL, 0);
            continue;
        }
        if (s->op != SC_FSYNC && handles[s->handle].used)
            handles[s->handle].pos += s->count;
        reply(s->tid, s->count, s->op == SC_READ ? s->data : NULL, s->op == SC_READ ? s->count : 0);
    }
}

static void start_waiting(void) {
    while (nwaiting) {
        long r = begin(&waiting[0].m, waiting[0].data, waiting[0].len);
        if (r == 0)
            return;
        if (r < 0)
            reply(waiting[0].m.from, r, NULL, 0);
        memmove(waiting, waiting + 1, --nwaiting * sizeof waiting[0]);
    }
}

int main(const char *arg, unsigned long a2, unsigned long a3) {
    setup();
    if (scheme_register("disk") < 0)
        fail("cannot register disk:");
    printf("[blkd] ready\n");
    static char buf[MAXIO];
    struct msg m;
    int to = 0;
    unsigned rlen = 0;
    static char out[sizeof(struct mica_stat)];
    for (;;) {
        long r = ipc_reply_recv(to, &m, buf, rlen, sizeof buf);
        to = 0, rlen = 0;
        if (r < 0)
            continue;
        if (m.from == 0) {   /* the IRQ: service, acknowledge, service once more (kernel/README.md) */
            (void)*isr;
            harvest();
            irq_ack(irq);
            (void)*isr;
            harvest();
            start_waiting();
            continue;
        }
        long h = m.w[1], res = 0;
        bool valid = h >= 0 && h < 32 && handles[h].used;
        switch (m.w[0]) {
        case SC_OPEN:
            res = -ENOENT;
            buf[r > 0 ? r - 1 : 0] = 0;   /* the path arrives with its terminating zero */
            if (!buf[0] || !strcmp(buf, "0"))
                res = new_handle(m.w[3]);
            break;
        case SC_DUP:
            res = valid ? new_handle(m.w[3]) : -EBADF;
            if (res >= 0)
                handles[res].pos = handles[h].pos;
            break;
        case SC_CLOSE:
            res = valid ? (handles[h].used = false, 0) : -EBADF;
            break;
        case SC_SEEK:
            res = !valid ? -EBADF : m.w[2] % 512 || (uint64_t)m.w[2] > capacity ? -EINVAL : (long)(handles[h].pos = m.w[2]);
            break;
        case SC_FSTAT: {
            struct mica_stat st = { capacity, MODE_FILE };
            memcpy(out, &st, sizeof st);
            m.w[0] = valid ? 0 : -EBADF;
            ipc_reply(m.from, &m, out, valid ? sizeof st : 0);
            continue;
        }
        case SC_READ: case SC_WRITE: case SC_FSYNC:
            if (!valid) {
                res = -EBADF;
                break;
            }
            if (!nwaiting && (res = begin(&m, buf, r)) > 0)
                continue;          /* the reply comes with the completion */
            if (res < 0)
                break;
            if (nwaiting == 8) {
                res = -EAGAIN;
                break;
            }
            waiting[nwaiting].m = m, waiting[nwaiting].len = r;
            memcpy(waiting[nwaiting].data, buf, r);
            nwaiting++;
            continue;
        default:
            res = -ENOSYS;
        }
        m.w[0] = res;
        to = m.from;
    }
}
