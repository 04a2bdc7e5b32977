/* The initfs: a USTAR archive (multiboot module 0) holding the user programs and init.rc. */
#include "kernel.h"

static u64 octal(const char *s, int n) {
    u64 v = 0;
    for (; n && *s >= '0' && *s <= '7'; n--, s++)
        v = v * 8 + (*s - '0');
    return v;
}

const u8 *initfs_find(const char *name, u64 *size) {
    const u8 *tar = P2V(initfs_phys);
    for (u64 off = 0; off + 512 <= initfs_size && tar[off];) {
        const char *h = (const char *)tar + off;
        u64 n = octal(h + 124, 12);
        const char *nm = h;
        if (nm[0] == '.' && nm[1] == '/')
            nm += 2;
        if (!strncmp(nm, name, 100) && (h[156] == '0' || h[156] == 0)) {
            *size = n;
            return tar + off + 512;
        }
        off += 512 + ((n + 511) & ~511ul);
    }
    return NULL;
}
