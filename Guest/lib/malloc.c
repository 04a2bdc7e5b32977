/* A small first-fit heap on memory from SYS_MAP, in 64 KiB chunks. */
#include "mica.h"

struct block { size_t size; struct block *next; };   /* size includes the header */
static struct block *free_list;

void *malloc(size_t n) {
    n = (n + sizeof(struct block) + 15) & ~15ul;
    for (struct block **pp = &free_list; *pp; pp = &(*pp)->next) {
        struct block *b = *pp;
        if (b->size < n)
            continue;
        if (b->size - n >= 64) {
            struct block *rest = (struct block *)((char *)b + n);
            rest->size = b->size - n;
            rest->next = b->next;
            *pp = rest;
            b->size = n;
        } else {
            *pp = b->next;
        }
        return b + 1;
    }
    size_t chunk = n > 65536 ? (n + 4095) & ~4095ul : 65536;
    struct block *b = map(0, chunk, 0);
    if ((long)b < 0)
        return NULL;
    b->size = chunk;
    b->next = free_list;
    free_list = b;
    return malloc(n - sizeof(struct block));
}

void free(void *p) {
    if (!p)
        return;
    struct block *b = (struct block *)p - 1;
    b->next = free_list;
    free_list = b;
}
