/* ext2fs: an ext2 file system server on disk: (blkd), serving file:. Images are made and checked
 * with the host's tools (mke2fs -t ext2 -d DIR, e2fsck, debugfs). Revision 1, block sizes 1-4 KiB,
 * direct, single and double indirect blocks; features beyond filetype, sparse_super, large_file,
 * ext_attr, resize_inode and dir_index (directories are kept linear) are refused.
 *   open("file:/a/b", OPEN_CREATE|OPEN_TRUNC|OPEN_APPEND|OPEN_MKDIR|OPEN_UNLINK)
 *   read/write/seek/fstat/fsync/close; reading a directory gives "name\n" lines ("name/" for one)
 * Every change is written through to disk before the reply (bitmaps, data, inode, directory entry),
 * and fsync also flushes the disk. An interrupted change (ext2fs killed) can leave a bitmap bit or
 * a free count that disagrees with the inodes; at start ext2fs recomputes the bitmaps and counts
 * from the inodes (repair()), so it starts from a consistent file system. A disk: request that
 * fails because blkd died is sent again to blkd's next instance. */
#include "mica.h"

typedef uint8_t u8;
typedef uint16_t u16;
typedef uint32_t u32;

struct inode {   /* the first 128 bytes of an ext2 inode */
    u16 mode, uid;
    u32 size, atime, ctime, mtime, dtime;
    u16 gid, links;
    u32 sectors, flags, osd1, block[15], generation, file_acl, size_high, faddr;
    u8 osd2[12];
};
struct gd { u32 block_bitmap, inode_bitmap, inode_table; u16 free_blocks, free_inodes, used_dirs, pad; u32 reserved[3]; };
struct dirent { u32 inode; u16 rec_len; u8 name_len, type; char name[]; };

#define ROOT 2
#define S_IFDIR 0040000
#define S_IFREG 0100000
#define MAXBS 4096
#define CHUNK 2048

static long disk = -1;
static u8 sb[1024];
static u32 bs, ngroups, ipg, bpg, isz, first_data, nblocks, stamp;
static struct gd gds[256];
static u32 gdt_block;

#define SB32(o) (*(u32 *)(sb + (o)))
#define SB16(o) (*(u16 *)(sb + (o)))

/* ---- disk: with retry across blkd restarts ---- */

static void reopen_within(int ms) {
    if (disk >= 0)
        close(disk);
    disk = -1;
    for (int i = 0; i < ms && disk < 0; i++)
        if ((disk = open("disk:")) < 0)
            sleep_ms(1);
}

static void reopen(void) { reopen_within(20000); }   /* blkd is being restarted: wait for it */

enum { D_READ, D_WRITE, D_FLUSH };

/* One disk: request (a read or write of at most CHUNK bytes at off, or a flush). When blkd died
 * under it (EPIPE, ESRCH, EBADF) it waits for the next blkd and sends the request again. */
static int disk_request(int op, uint64_t off, void *buf, u32 n) {
    for (int tries = 0; tries < 1000; tries++) {
        if (disk < 0)
            reopen();
        long r = op == D_FLUSH ? fsync(disk) : seek(disk, off);
        if (r >= 0 && op != D_FLUSH)
            r = op == D_WRITE ? write(disk, buf, n) : read(disk, buf, n);
        if (r >= 0 && (op == D_FLUSH || r == (long)n))
            return 0;
        if (r != -EPIPE && r != -ESRCH && r != -EBADF && r != -EAGAIN)
            return -EIO;
        close(disk);
        disk = -1;
    }
    return -EIO;
}

static int disk_io(bool wr, uint64_t off, void *buf, u32 n) {
    for (u32 done = 0; done < n; done += CHUNK) {
        u32 k = n - done < CHUNK ? n - done : CHUNK;
        if (disk_request(wr ? D_WRITE : D_READ, off + done, (u8 *)buf + done, k) < 0)
            return -EIO;
    }
    return 0;
}

static int disk_flush(void) { return disk_request(D_FLUSH, 0, NULL, 0); }

static int bread(u32 b, void *buf) { return disk_io(false, (uint64_t)b * bs, buf, bs); }
static int bwrite(u32 b, const void *buf) { return disk_io(true, (uint64_t)b * bs, (void *)buf, bs); }

/* ---- superblock, group descriptors, bitmaps ---- */

static int mount(void) {
    if (disk_io(false, 1024, sb, 1024) < 0)
        return -EIO;
    if (SB16(56) != 0xEF53 || SB32(76) < 1)
        return -EINVAL;
    if (SB32(96) & ~0x2u)   /* incompat: only filetype */
        return -ENOSYS;
    if (SB32(100) & ~0x3u)  /* ro_compat: sparse_super, large_file */
        return -ENOSYS;
    bs = 1024u << SB32(24);
    nblocks = SB32(4), first_data = SB32(20), bpg = SB32(32), ipg = SB32(40), isz = SB16(88);
    stamp = SB32(48);
    ngroups = (nblocks - first_data + bpg - 1) / bpg;
    if (bs > MAXBS || ngroups > 256 || isz < 128)
        return -ENOSYS;
    gdt_block = first_data + 1;
    u32 gdt_bytes = (ngroups * sizeof(struct gd) + bs - 1) / bs * bs;
    if (gdt_bytes > sizeof gds)
        return -ENOSYS;
    return disk_io(false, (uint64_t)gdt_block * bs, gds, gdt_bytes);
}

static int write_meta(u32 group) {
    u32 per = bs / sizeof(struct gd), blk = group / per;
    if (bwrite(gdt_block + blk, (u8 *)gds + (uint64_t)blk * bs) < 0)
        return -EIO;
    return disk_io(true, 1024, sb, 1024);
}

/* Finds and sets a clear bit in a bitmap block; returns its index or -1. */
static long take_bit(u8 *map, u32 n) {
    for (u32 i = 0; i < n; i++)
        if (!(map[i / 8] & (1 << (i % 8)))) {
            map[i / 8] |= 1 << (i % 8);
            return i;
        }
    return -1;
}

static u8 mapbuf[MAXBS];

static long alloc_block(void) {
    for (u32 g = 0; g < ngroups; g++) {
        if (!gds[g].free_blocks)
            continue;
        if (bread(gds[g].block_bitmap, mapbuf) < 0)
            return -EIO;
        u32 n = g == ngroups - 1 ? nblocks - first_data - g * bpg : bpg;
        long i = take_bit(mapbuf, n);
        if (i < 0)
            continue;
        if (bwrite(gds[g].block_bitmap, mapbuf) < 0)
            return -EIO;
        gds[g].free_blocks--;
        SB32(12)--;
        if (write_meta(g) < 0)
            return -EIO;
        return first_data + g * bpg + i;
    }
    return -ENOSPC;
}

static int free_bit(u32 bitmap, u32 i) {
    if (bread(bitmap, mapbuf) < 0)
        return -EIO;
    mapbuf[i / 8] &= ~(1 << (i % 8));
    return bwrite(bitmap, mapbuf);
}

static int free_block(u32 b) {
    u32 g = (b - first_data) / bpg;
    if (!b || b >= nblocks || free_bit(gds[g].block_bitmap, (b - first_data) % bpg) < 0)
        return -EIO;
    gds[g].free_blocks++;
    SB32(12)++;
    return write_meta(g);
}

static long alloc_inode(bool dir) {
    for (u32 g = 0; g < ngroups; g++) {
        if (!gds[g].free_inodes)
            continue;
        if (bread(gds[g].inode_bitmap, mapbuf) < 0)
            return -EIO;
        long i = take_bit(mapbuf, ipg);
        if (i < 0)
            continue;
        if (bwrite(gds[g].inode_bitmap, mapbuf) < 0)
            return -EIO;
        gds[g].free_inodes--;
        gds[g].used_dirs += dir;
        SB32(16)--;
        if (write_meta(g) < 0)
            return -EIO;
        return g * ipg + i + 1;
    }
    return -ENOSPC;
}

static int free_inode(u32 ino, bool dir) {
    u32 g = (ino - 1) / ipg;
    if (free_bit(gds[g].inode_bitmap, (ino - 1) % ipg) < 0)
        return -EIO;
    gds[g].free_inodes++;
    gds[g].used_dirs -= dir;
    SB32(16)++;
    return write_meta(g);
}

/* ---- inodes and their blocks ---- */

static u8 iblk[MAXBS];

static uint64_t inode_at(u32 ino, u32 *block) {
    u32 g = (ino - 1) / ipg, i = (ino - 1) % ipg;
    *block = gds[g].inode_table + (uint64_t)i * isz / bs;
    return (uint64_t)i * isz % bs;
}

static int iget(u32 ino, struct inode *in) {
    u32 b;
    uint64_t off = inode_at(ino, &b);
    if (!ino || ino > SB32(0) || bread(b, iblk) < 0)
        return -EIO;
    memcpy(in, iblk + off, sizeof *in);
    return 0;
}

static int iput(u32 ino, const struct inode *in) {
    u32 b;
    uint64_t off = inode_at(ino, &b);
    if (bread(b, iblk) < 0)
        return -EIO;
    memcpy(iblk + off, in, sizeof *in);
    return bwrite(b, iblk);
}

static u32 ind[MAXBS / 4];

/* Block n of a file; with alloc, missing blocks (and indirect blocks) are allocated and zeroed.
 * Returns 0 for a hole, or a negative error. */
static long bmap(struct inode *in, u32 n, bool alloc, bool *fresh) {
    u32 per = bs / 4;
    u32 path[3], depth;
    if (n < 12)
        path[0] = n, depth = 0;
    else if ((n -= 12) < per)
        path[0] = 12, path[1] = n, depth = 1;
    else if ((n -= per) < per * per)
        path[0] = 13, path[1] = n / per, path[2] = n % per, depth = 2;
    else
        return -EFBIG;
    static u8 zero[MAXBS];
    u32 *slot = &in->block[path[0]], parent = 0;
    for (u32 level = 0;; level++) {
        u32 b = *slot;
        if (!b) {
            if (!alloc)
                return 0;
            long nb = alloc_block();
            if (nb < 0)
                return nb;
            if (level < depth || !fresh) {
                if (bwrite(nb, zero) < 0)
                    return -EIO;
            }
            if (fresh && level == depth)
                *fresh = true;
            b = *slot = nb;
            in->sectors += bs / 512;
            if (parent && bwrite(parent, ind) < 0)
                return -EIO;
        }
        if (level == depth)
            return b;
        if (bread(b, ind) < 0)
            return -EIO;
        parent = b;
        slot = &ind[path[level + 1]];
    }
}

/* Frees every block of the file (truncation to 0). */
static int free_all(struct inode *in) {
    static u32 l1[MAXBS / 4], l2[MAXBS / 4];
    u32 per = bs / 4;
    for (int i = 0; i < 12; i++)
        if (in->block[i] && free_block(in->block[i]) < 0)
            return -EIO;
    if (in->block[12]) {
        if (bread(in->block[12], l1) < 0)
            return -EIO;
        for (u32 i = 0; i < per; i++)
            if (l1[i] && free_block(l1[i]) < 0)
                return -EIO;
        if (free_block(in->block[12]) < 0)
            return -EIO;
    }
    if (in->block[13]) {
        if (bread(in->block[13], l2) < 0)
            return -EIO;
        for (u32 j = 0; j < per; j++) {
            if (!l2[j])
                continue;
            if (bread(l2[j], l1) < 0)
                return -EIO;
            for (u32 i = 0; i < per; i++)
                if (l1[i] && free_block(l1[i]) < 0)
                    return -EIO;
            if (free_block(l2[j]) < 0)
                return -EIO;
        }
        if (free_block(in->block[13]) < 0)
            return -EIO;
    }
    if (in->block[14])
        return -EFBIG;
    memset(in->block, 0, sizeof in->block);
    in->sectors = 0;
    in->size = 0;
    return 0;
}

/* ---- file contents ---- */

static u8 fblk[MAXBS];

static long file_read(struct inode *in, uint64_t pos, u8 *out, u32 n) {
    if (pos >= in->size)
        return 0;
    if (pos + n > in->size)
        n = in->size - pos;
    for (u32 done = 0; done < n;) {
        u32 fb = (pos + done) / bs, off = (pos + done) % bs, k = bs - off < n - done ? bs - off : n - done;
        long b = bmap(in, fb, false, NULL);
        if (b < 0)
            return b;
        if (!b)
            memset(fblk, 0, bs);
        else if (bread(b, fblk) < 0)
            return -EIO;
        memcpy(out + done, fblk + off, k);
        done += k;
    }
    return n;
}

/* Writes data blocks, then the inode (new size and block pointers). */
static long file_write(u32 ino, struct inode *in, uint64_t pos, const u8 *data, u32 n) {
    for (u32 done = 0; done < n;) {
        u32 fb = (pos + done) / bs, off = (pos + done) % bs, k = bs - off < n - done ? bs - off : n - done;
        bool fresh = false;
        long b = bmap(in, fb, true, &fresh);
        if (b <= 0)
            return b < 0 ? b : -EIO;
        if (fresh)
            memset(fblk, 0, bs);
        else if (k < bs && bread(b, fblk) < 0)
            return -EIO;
        memcpy(fblk + off, data + done, k);
        if (bwrite(b, fblk) < 0)
            return -EIO;
        done += k;
    }
    if (pos + n > in->size)
        in->size = pos + n;
    in->mtime = in->ctime = stamp;
    if (iput(ino, in) < 0)
        return -EIO;
    return n;
}

/* ---- directories ---- */

static u8 dblk[MAXBS];

static u32 rec(u32 name_len) { return (8 + name_len + 3) & ~3u; }

/* Finds name in the directory; returns its inode or 0. The block holding the entry stays in dblk,
 * its number in *blk, the entry's offset in *at and the previous entry's in *prev (~0: none). */
static u32 dir_find(struct inode *dir, const char *name, u32 len, u32 *blk, u32 *at, u32 *prev) {
    for (u32 fb = 0; fb < dir->size / bs; fb++) {
        long b = bmap(dir, fb, false, NULL);
        if (b <= 0 || bread(b, dblk) < 0)
            return 0;
        u32 last = ~0u;
        for (u32 off = 0; off + 8 <= bs;) {
            struct dirent *e = (struct dirent *)(dblk + off);
            if (e->rec_len < 8 || off + e->rec_len > bs)
                break;
            if (e->inode && e->name_len == len && !memcmp(e->name, name, len)) {
                *blk = b, *at = off, *prev = last;
                return e->inode;
            }
            last = off;
            off += e->rec_len;
        }
    }
    return 0;
}

static int dir_add(u32 dino, struct inode *dir, const char *name, u32 len, u32 ino, u8 type) {
    u32 need = rec(len);
    for (u32 fb = 0;; fb++) {
        long b;
        if (fb < dir->size / bs) {
            b = bmap(dir, fb, false, NULL);
            if (b <= 0 || bread(b, dblk) < 0)
                return -EIO;
        } else {   /* a new block holding one entry that spans it */
            bool fresh = false;
            b = bmap(dir, fb, true, &fresh);
            if (b <= 0)
                return -EIO;
            memset(dblk, 0, bs);
            ((struct dirent *)dblk)->rec_len = bs;
            dir->size += bs;
            if (iput(dino, dir) < 0)
                return -EIO;
        }
        for (u32 off = 0; off + 8 <= bs;) {
            struct dirent *e = (struct dirent *)(dblk + off);
            if (e->rec_len < 8 || off + e->rec_len > bs)
                break;
            u32 used = e->inode ? rec(e->name_len) : 0;
            if (e->rec_len - used >= need) {
                struct dirent *n = e;
                if (used) {
                    n = (struct dirent *)(dblk + off + used);
                    n->rec_len = e->rec_len - used;
                    e->rec_len = used;
                }
                n->inode = ino, n->name_len = len, n->type = type;
                memcpy(n->name, name, len);
                return bwrite(b, dblk);
            }
            off += e->rec_len;
        }
    }
}

/* Resolves an absolute path; *parent and the last component's name are set when wanted. */
static long lookup(const char *path, u32 *parent, const char **last, u32 *lastlen) {
    u32 ino = ROOT, par = ROOT;
    const char *name = "";
    u32 len = 0;
    struct inode in;
    while (*path == '/')
        path++;
    while (*path) {
        const char *end = strchr(path, '/');
        len = end ? (u32)(end - path) : strlen(path);
        name = path;
        if (iget(ino, &in) < 0)
            return -EIO;
        if ((in.mode & 0xF000) != S_IFDIR)
            return -ENOTDIR;
        par = ino;
        u32 b, at, prev;
        ino = len > 255 ? 0 : dir_find(&in, path, len, &b, &at, &prev);
        path += len;
        while (*path == '/')
            path++;
        if (!ino) {
            if (*path)
                return -ENOENT;
            break;
        }
    }
    if (parent)
        *parent = par, *last = name, *lastlen = len;
    return ino ? (long)ino : -ENOENT;
}

static long make(u32 parent, const char *name, u32 len, bool dir) {
    struct inode pin;
    if (!len || len > 255 || iget(parent, &pin) < 0)
        return -EINVAL;
    long ino = alloc_inode(dir);
    if (ino < 0)
        return ino;
    struct inode in;
    memset(&in, 0, sizeof in);
    in.mode = dir ? S_IFDIR | 0755 : S_IFREG | 0644;
    in.links = dir ? 2 : 1;
    in.atime = in.ctime = in.mtime = stamp;
    if (dir) {
        bool fresh = false;
        long b = bmap(&in, 0, true, &fresh);
        if (b <= 0)
            return -EIO;
        memset(dblk, 0, bs);
        struct dirent *dot = (struct dirent *)dblk, *dotdot = (struct dirent *)(dblk + 12);
        dot->inode = ino, dot->rec_len = 12, dot->name_len = 1, dot->type = 2, dot->name[0] = '.';
        dotdot->inode = parent, dotdot->rec_len = bs - 12, dotdot->name_len = 2, dotdot->type = 2;
        dotdot->name[0] = dotdot->name[1] = '.';
        if (bwrite(b, dblk) < 0)
            return -EIO;
        in.size = bs;
    }
    if (iput(ino, &in) < 0)
        return -EIO;
    if (dir) {
        pin.links++;
        if (iput(parent, &pin) < 0)
            return -EIO;
    }
    if (dir_add(parent, &pin, name, len, ino, dir ? 2 : 1) < 0)
        return -EIO;
    return ino;
}

static bool dir_empty(struct inode *dir) {
    for (u32 fb = 0; fb < dir->size / bs; fb++) {
        long b = bmap(dir, fb, false, NULL);
        if (b <= 0 || bread(b, dblk) < 0)
            return false;
        for (u32 off = 0; off + 8 <= bs;) {
            struct dirent *e = (struct dirent *)(dblk + off);
            if (e->rec_len < 8)
                return false;
            if (e->inode && !(e->name_len == 1 && e->name[0] == '.') && !(e->name_len == 2 && e->name[0] == '.' && e->name[1] == '.'))
                return false;
            off += e->rec_len;
        }
    }
    return true;
}

/* Removes the entry first, then frees the inode and its blocks. */
static long unlink_path(const char *path) {
    u32 parent, len;
    const char *name;
    long ino = lookup(path, &parent, &name, &len);
    if (ino < 0)
        return ino;
    if (ino == ROOT)
        return -EBUSY;
    struct inode in, pin;
    if (iget(ino, &in) < 0 || iget(parent, &pin) < 0)
        return -EIO;
    bool dir = (in.mode & 0xF000) == S_IFDIR;
    if (dir && !dir_empty(&in))
        return -EEXIST;
    u32 b, at, prev;
    if (!dir_find(&pin, name, len, &b, &at, &prev))
        return -ENOENT;
    struct dirent *e = (struct dirent *)(dblk + at);
    if (prev != ~0u)
        ((struct dirent *)(dblk + prev))->rec_len += e->rec_len;
    else
        e->inode = 0;
    if (bwrite(b, dblk) < 0)
        return -EIO;
    if (dir) {
        pin.links--;
        if (iput(parent, &pin) < 0)
            return -EIO;
    }
    if (--in.links > (dir ? 1 : 0))
        return iput(ino, &in);
    if (free_all(&in) < 0)
        return -EIO;
    in.links = 0;
    in.dtime = stamp ? stamp : 1;
    if (iput(ino, &in) < 0)
        return -EIO;
    return free_inode(ino, dir);
}

/* ---- repair at start: bitmaps and counts recomputed from the inodes ---- */

static u8 *used;   /* one bit per block */

static void mark(u32 b) {
    if (b < nblocks)
        used[b / 8] |= 1 << (b % 8);
}

static bool has_backup(u32 g) {   /* sparse_super: groups 0, 1 and powers of 3, 5, 7 */
    if (g <= 1 || !(SB32(100) & 1))
        return true;
    for (u32 p = 3; p <= 7; p += 2) {
        u32 x = p;
        while (x < g)
            x *= p;
        if (x == g)
            return true;
    }
    return false;
}

/* Marks block b and, below depth levels of indirection, what it points to; returns how many. */
static long mark_tree(u32 b, int depth) {
    static u32 lv[3][MAXBS / 4];
    if (!b)
        return 0;
    mark(b);
    if (!depth)
        return 1;
    if (b >= nblocks || bread(b, lv[depth - 1]) < 0)
        return -EIO;
    long n = 1;
    for (u32 i = 0; i < bs / 4; i++) {
        long k = mark_tree(lv[depth - 1][i], depth - 1);
        if (k < 0)
            return -EIO;
        n += k;
    }
    return n;
}

static int popcount_range(const u8 *map, u32 n) {
    int c = 0;
    for (u32 i = 0; i < n; i++)
        c += (map[i / 8] >> (i % 8)) & 1;
    return c;
}

static int repair(void) {
    used = malloc(nblocks / 8 + 1);
    if (!used)
        return -ENOMEM;
    memset(used, 0, nblocks / 8 + 1);
    u32 gdt_blocks = (ngroups * sizeof(struct gd) + bs - 1) / bs, itab_blocks = (ipg * isz + bs - 1) / bs;
    u32 first_ino = SB32(76) >= 1 ? SB32(84) : 11, fixed = 0;
    static u8 imap[MAXBS];
    u32 free_blocks = 0, free_inodes = 0;
    for (u32 g = 0; g < ngroups; g++) {
        u32 start = first_data + g * bpg;
        if (has_backup(g))
            for (u32 b = 0; b < 1 + gdt_blocks + SB16(206); b++)
                mark(start + b);
        mark(gds[g].block_bitmap);
        mark(gds[g].inode_bitmap);
        for (u32 b = 0; b < itab_blocks; b++)
            mark(gds[g].inode_table + b);
    }
    for (u32 g = 0; g < ngroups; g++) {
        if (bread(gds[g].inode_bitmap, imap) < 0)
            return -EIO;
        u32 dirs = 0, changed = 0;
        for (u32 i = 0; i < ipg; i++) {
            u32 ino = g * ipg + i + 1;
            bool marked = imap[i / 8] & (1 << (i % 8)), live = false;
            struct inode in;
            if (marked || ino < first_ino) {
                if (iget(ino, &in) < 0)
                    return -EIO;
                live = ino < first_ino || (in.mode && in.links && !in.dtime);
            }
            if (live) {
                u32 type = in.mode & 0xF000;
                bool has_blocks = type == 0x8000 || type == S_IFDIR || (type == 0xA000 && in.sectors) || (ino < first_ino && in.sectors);
                long count = in.file_acl ? mark_tree(in.file_acl, 0) : 0;
                for (int k = 0; has_blocks && k < 15; k++) {
                    long c = mark_tree(in.block[k], k < 12 ? 0 : k - 11);
                    if (c < 0)
                        return -EIO;
                    count += c;
                }
                dirs += type == S_IFDIR;
                /* a change cut short between an indirect block and the inode leaves i_blocks behind */
                if (ino >= first_ino && has_blocks && in.sectors != count * (bs / 512)) {
                    in.sectors = count * (bs / 512);
                    if (iput(ino, &in) < 0)
                        return -EIO;
                    fixed++;
                }
            }
            if (live != marked && ino >= first_ino) {
                imap[i / 8] ^= 1 << (i % 8);
                changed++;
            }
        }
        if (changed && bwrite(gds[g].inode_bitmap, imap) < 0)
            return -EIO;
        fixed += changed;
        u32 fi = ipg - popcount_range(imap, ipg);
        free_inodes += fi;
        if (gds[g].free_inodes != fi || gds[g].used_dirs != dirs)
            gds[g].free_inodes = fi, gds[g].used_dirs = dirs, fixed++;
    }
    for (u32 g = 0; g < ngroups; g++) {
        u32 start = first_data + g * bpg, n = g == ngroups - 1 ? nblocks - start : bpg, changed = 0;
        if (bread(gds[g].block_bitmap, mapbuf) < 0)
            return -EIO;
        for (u32 i = 0; i < n; i++) {
            bool want = used[(start + i) / 8] & (1 << ((start + i) % 8)), have = mapbuf[i / 8] & (1 << (i % 8));
            if (want != have)
                mapbuf[i / 8] ^= 1 << (i % 8), changed++;
        }
        if (changed && bwrite(gds[g].block_bitmap, mapbuf) < 0)
            return -EIO;
        fixed += changed;
        u32 fb = n - popcount_range(mapbuf, n);
        free_blocks += fb;
        if (gds[g].free_blocks != fb)
            gds[g].free_blocks = fb, fixed++;
    }
    free(used);
    if (SB32(12) != free_blocks || SB32(16) != free_inodes)
        SB32(12) = free_blocks, SB32(16) = free_inodes, fixed++;
    for (u32 g = 0; fixed && g < ngroups; g += bs / sizeof(struct gd))
        if (write_meta(g) < 0)
            return -EIO;
    return fixed;
}

/* ---- the file: scheme ---- */

static struct handle { bool used, append, dir; u32 ino; uint64_t pos; } handles[32];

static long do_open(char *path, long flags) {
    if (flags & OPEN_UNLINK) {
        long r = unlink_path(path);
        if (r < 0)
            return r;
        flags = 0;
        path = "/";
    }
    u32 parent, len;
    const char *name;
    long ino = lookup(path, &parent, &name, &len);
    if (ino == -ENOENT && (flags & (OPEN_CREATE | OPEN_MKDIR)) && len)
        ino = make(parent, name, len, flags & OPEN_MKDIR);
    else if (ino >= 0 && (flags & OPEN_MKDIR))
        return -EEXIST;
    if (ino < 0)
        return ino;
    struct inode in;
    if (iget(ino, &in) < 0)
        return -EIO;
    bool dir = (in.mode & 0xF000) == S_IFDIR;
    if (flags & OPEN_TRUNC && !dir && in.size) {
        if (free_all(&in) < 0)
            return -EIO;
        if (iput(ino, &in) < 0)
            return -EIO;
    }
    for (int h = 0; h < 32; h++)
        if (!handles[h].used) {
            handles[h] = (struct handle){ true, flags & OPEN_APPEND, dir, ino, 0 };
            return h;
        }
    return -EMFILE;
}

/* A directory read: its entries as text lines, from byte pos of that text. */
static long list_dir(struct inode *dir, uint64_t pos, char *out, u32 n) {
    static char text[16384];
    u32 len = 0;
    for (u32 fb = 0; fb < dir->size / bs; fb++) {
        long b = bmap(dir, fb, false, NULL);
        if (b <= 0 || bread(b, dblk) < 0)
            return -EIO;
        for (u32 off = 0; off + 8 <= bs;) {
            struct dirent *e = (struct dirent *)(dblk + off);
            if (e->rec_len < 8)
                break;
            if (e->inode && !(e->name[0] == '.' && (e->name_len == 1 || (e->name_len == 2 && e->name[1] == '.')))
                && len + e->name_len + 2 < sizeof text) {
                memcpy(text + len, e->name, e->name_len);
                len += e->name_len;
                if (e->type == 2)
                    text[len++] = '/';
                text[len++] = '\n';
            }
            off += e->rec_len;
        }
    }
    if (pos >= len)
        return 0;
    if (pos + n > len)
        n = len - pos;
    memcpy(out, text + pos, n);
    return n;
}

int main(const char *arg, unsigned long a2, unsigned long a3) {
    reopen_within(3000);
    if (disk < 0) {
        printf("[ext2fs] no disk:\n");
        for (;;)
            sleep_ms(1000000);
    }
    long r = mount();
    if (r < 0) {
        printf("[ext2fs] the disk holds no ext2 file system I can use (%d)\n", (int)r);
        for (;;)
            sleep_ms(1000000);
    }
    long fixed = repair();
    if (fixed < 0) {
        printf("[ext2fs] cannot check the file system (%d)\n", (int)fixed);
        return 1;
    }
    if (fixed)
        printf("[ext2fs] repaired %d bitmap bits and counts left by an interrupted change\n", (int)fixed);
    if (scheme_register("file") < 0)
        return 1;
    printf("[ext2fs] ready: %u blocks of %u bytes, %u free\n", nblocks, bs, SB32(12));
    static char buf[IPC_MAX + 1];
    struct msg m;
    int to = 0;
    unsigned rlen = 0;
    for (;;) {
        r = ipc_reply_recv(to, &m, buf, rlen, IPC_MAX);
        to = 0, rlen = 0;
        if (r < 0 || m.from == 0)
            continue;
        long h = m.w[1], res = -EBADF;
        struct handle *f = h >= 0 && h < 32 && handles[h].used ? &handles[h] : NULL;
        struct inode in;
        switch (m.w[0]) {
        case SC_OPEN:
            buf[r > 0 ? r - 1 : 0] = 0;
            res = do_open(buf, m.w[2]);
            break;
        case SC_READ: {
            long n = m.w[2] < IPC_MAX ? m.w[2] : IPC_MAX;
            if (f && iget(f->ino, &in) == 0) {
                res = f->dir ? list_dir(&in, f->pos, buf, n) : file_read(&in, f->pos, (u8 *)buf, n);
                if (res > 0)
                    f->pos += res;
            } else if (f) {
                res = -EIO;
            }
            m.w[0] = res;
            ipc_reply(m.from, &m, buf, res > 0 ? res : 0);
            continue;
        }
        case SC_WRITE:
            if (f && f->dir)
                res = -EISDIR;
            else if (f && iget(f->ino, &in) == 0) {
                if (f->append)
                    f->pos = in.size;
                res = file_write(f->ino, &in, f->pos, (u8 *)buf, r);
                if (res > 0)
                    f->pos += res;
            } else if (f) {
                res = -EIO;
            }
            break;
        case SC_SEEK:
            if (f)
                res = f->pos = m.w[2];
            break;
        case SC_FSTAT: {
            struct mica_stat st = { 0, 0 };
            if (f && iget(f->ino, &in) == 0) {
                st.size = in.size, st.mode = f->dir ? MODE_DIR : MODE_FILE;
                res = 0;
            }
            m.w[0] = res;
            ipc_reply(m.from, &m, &st, res == 0 ? sizeof st : 0);
            continue;
        }
        case SC_FSYNC:
            if (f)
                res = disk_flush();
            break;
        case SC_DUP:
            res = -EMFILE;
            for (int i = 0; f && i < 32; i++)
                if (!handles[i].used) {
                    handles[i] = *f, res = i;
                    break;
                }
            if (!f)
                res = -EBADF;
            break;
        case SC_CLOSE:
            if (f)
                f->used = false, res = 0;
            break;
        default:
            res = -ENOSYS;
        }
        m.w[0] = res;
        to = m.from;
    }
}
