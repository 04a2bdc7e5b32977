/* paging's assembly: 32-bit non-PAE paging with 4 MiB (PSE) and 4 KiB pages before long mode, its
 * #PF caught through the library's 32-bit IDT (lib/idt32.S), and the 64-bit fault sites the C part
 * probes. */
    .text
    .code32
    .globl boot32_hook
boot32_hook:
    call idt32_init

    movl $0x22222222, 0x00401010        /* seen through the 4 KiB page below */
    movl $0, 0x00400010
    /* page directory (SDM Vol. 3A, 5.3): PS=1 entries map 4 MiB when CR4.PSE=1 */
    movl $0x00000083, pd32              /* 0 -> 0, 4 MiB, P W PS: the kernel itself */
    movl $0x00400083, pd32 + 0x100 * 4  /* 0x40000000 -> 0x00400000, 4 MiB, P W PS */
    mov $pt32, %eax
    or $3, %eax
    mov %eax, pd32 + 0x101 * 4          /* 0x40400000 -> page table */
    movl $0x00401003, pt32              /* 0x40400000 -> 0x00401000, 4 KiB, P W */
    movl $0x00800081, pd32 + 0x102 * 4  /* 0x40800000 -> 0x00800000, 4 MiB, P PS: read-only */
    mov %cr4, %eax
    or $0x10, %eax                      /* CR4.PSE */
    mov %eax, %cr4
    mov $pd32, %eax
    mov %eax, %cr3
    mov %cr0, %eax
    or $0x80010000, %eax                /* CR0.PG | WP */
    mov %eax, %cr0

    movl $0x11111111, 0x40000010        /* write through the 4 MiB page */
    mov 0x40400010, %eax                /* read through the 4 KiB page */
    mov %eax, pg32_read4k
    mov pd32 + 0x100 * 4, %eax
    mov %eax, pg32_pde4m
    mov pd32 + 0x101 * 4, %eax
    mov %eax, pg32_pde_table
    mov pt32, %eax
    mov %eax, pg32_pte

    movl $1f, fault32_resume
    mov 0x40C00123, %eax                /* no PDE: not-present read */
1:  mov fault32_error, %eax
    mov %eax, pg32_err_np
    mov fault32_cr2, %eax
    mov %eax, pg32_cr2_np
    movl $1f, fault32_resume
    movl $5, 0x40800040                 /* read-only 4 MiB page, CR0.WP=1 */
1:  mov fault32_error, %eax
    mov %eax, pg32_err_ro
    mov fault32_cr2, %eax
    mov %eax, pg32_cr2_ro

    mov %cr0, %eax
    and $0x7FFFFFFF, %eax               /* paging off again */
    mov %eax, %cr0
    mov %cr4, %eax
    and $~0x10, %eax
    mov %eax, %cr4
    mov 0x00400010, %eax                /* the 4 MiB alias wrote physical 0x00400010 */
    mov %eax, pg32_phys
    ret

    .code64
/* fault sites: each reads or writes *target, or calls it */
    .globl kread, at_kread, kwrite, at_kwrite, kcall
kread:
    mov target(%rip), %rax
at_kread:
    mov (%rax), %eax
    ret
kwrite:
    mov target(%rip), %rax
at_kwrite:
    movl $0x77, (%rax)
    ret
kcall:
    mov target(%rip), %rax
    call *%rax
    ret
    .globl uread, at_uread, uwrite, at_uwrite
uread:
    mov target(%rip), %rax
at_uread:
    mov (%rax), %eax
    int $0x80
uwrite:
    mov target(%rip), %rax
at_uwrite:
    movl $0x77, (%rax)
    int $0x80

    .data
    .align 8
    .globl pg32_read4k, pg32_pde4m, pg32_pde_table, pg32_pte, pg32_err_np, pg32_cr2_np
    .globl pg32_err_ro, pg32_cr2_ro, pg32_phys
pg32_read4k: .long 0
pg32_pde4m: .long 0
pg32_pde_table: .long 0
pg32_pte: .long 0
pg32_err_np: .long 0
pg32_cr2_np: .long 0
pg32_err_ro: .long 0
pg32_cr2_ro: .long 0
pg32_phys: .long 0
    .globl target
target: .quad 0

    .bss
    .align 4096
pd32: .space 4096
pt32: .space 4096
