/* USTAR reading, for init's initfs scheme. */
#include "mica.h"

static size_t octal(const char *s, int n) {
    size_t v = 0;
    for (; n && *s >= '0' && *s <= '7'; n--, s++)
        v = v * 8 + (*s - '0');
    return v;
}

/* The next regular file at *off: its data; NULL at the end. */
const char *tar_next(const char *tar, size_t size, size_t *off, const char **name, size_t *len) {
    while (*off + 512 <= size && tar[*off]) {
        const char *h = tar + *off;
        size_t n = octal(h + 124, 12);
        *off += 512 + ((n + 511) & ~511ul);
        if (h[156] != '0' && h[156] != 0)
            continue;
        *name = h[0] == '.' && h[1] == '/' ? h + 2 : h;
        *len = n;
        return h + 512;
    }
    return NULL;
}

const char *tar_find(const char *tar, size_t size, const char *name, size_t *len) {
    size_t off = 0;
    const char *nm, *data;
    while ((data = tar_next(tar, size, &off, &nm, len)))
        if (!strcmp(nm, name))
            return data;
    return NULL;
}
