/* ELF64 loader for user programs: maps each PT_LOAD segment into fresh, owned frames. */
#include "kernel.h"

struct ehdr { u8 ident[16]; u16 type, machine; u32 version; u64 entry, phoff, shoff; u32 flags;
              u16 ehsize, phentsize, phnum, shentsize, shnum, shstrndx; };
struct phdr { u32 type, flags; u64 offset, vaddr, paddr, filesz, memsz, align; };

long elf_load(u64 *pml4, const u8 *image, u64 size, u64 *entry) {
    const struct ehdr *eh = (const void *)image;
    if (size < sizeof *eh || memcmp(eh->ident, "\177ELF\2\1", 6) || eh->machine != 0x3E || eh->type != 2 ||
        eh->phoff + (u64)eh->phnum * sizeof(struct phdr) > size)
        return -EINVAL;
    for (int i = 0; i < eh->phnum; i++) {
        const struct phdr *ph = (const void *)(image + eh->phoff + i * sizeof(struct phdr));
        if (ph->type != 1)
            continue;
        if (ph->offset + ph->filesz > size || ph->vaddr + ph->memsz > USER_TOP || ph->filesz > ph->memsz)
            return -EINVAL;
        u64 flags = PTE_U | PTE_OWNED | (ph->flags & 2 ? PTE_W : 0) | (ph->flags & 1 ? 0 : PTE_NX);
        for (u64 va = ph->vaddr & ~(PAGE - 1); va < ph->vaddr + ph->memsz; va += PAGE) {
            u64 pa = frame_alloc();
            if (!pa)
                return -ENOMEM;
            if (map_page(pml4, va, pa, flags) < 0)
                frame_free(pa);   /* shared with the previous segment: already mapped */
        }
        for (u64 done = 0; done < ph->filesz;) {
            u64 va = ph->vaddr + done, room = PAGE - va % PAGE;
            u64 n = ph->filesz - done < room ? ph->filesz - done : room;
            u64 *pte = pte_find(pml4, va);
            memcpy((u8 *)P2V(*pte & PTE_ADDR) + va % PAGE, image + ph->offset + done, n);
            done += n;
        }
    }
    *entry = eh->entry;
    return 0;
}
