/* Boot: multiboot1 (a.out kludge, so loaders take the ELF64 as is), entered in 32-bit protected
 * mode. Builds page tables that map the first 4 GiB at 0 (dropped later), at PHYSMAP and the
 * first 2 GiB at KVMA, enables PAE + long mode + paging, and jumps to kmain in the higher half. */
#define KVMA 0xFFFFFFFF80000000
#define MB_MAGIC 0x1BADB002
#define MB_FLAGS 0x00010003            /* page-align, memory info, a.out kludge addresses */
#define LOW(x) ((x) - KVMA)

    .section .multiboot, "a"
    .align 4
mb_header:
    .long MB_MAGIC, MB_FLAGS, -(MB_MAGIC + MB_FLAGS)
    .long mb_header, _load_start, _load_end, _bss_end, _start

    .section .boot.text, "ax"
    .code32
    .globl _start
_start:
    cli
    mov %eax, %esi                      /* multiboot magic */
    mov %ebx, %edi                      /* multiboot info (physical) */
    mov $LOW(boot_stack_top), %esp
    /* four page directories of 2 MiB pages: 0-4 GiB; the last GiB (MMIO) uncached */
    mov $LOW(boot_pd), %ebx
    xor %ecx, %ecx
1:  mov %ecx, %eax
    shl $21, %eax
    or $0x83, %eax                      /* present, writable, 2 MiB */
    cmp $1536, %ecx
    jb 2f
    or $0x18, %eax                      /* PCD | PWT */
2:  mov %eax, (%ebx,%ecx,8)
    mov %ecx, %eax
    shr $11, %eax                       /* bits 32+ of the address */
    mov %eax, 4(%ebx,%ecx,8)
    inc %ecx
    cmp $2048, %ecx
    jb 1b
    /* PDPT: 4 GiB; the kernel PDPT maps -2 GiB onto the first 2 GiB */
    mov $LOW(boot_pdpt), %edx
    mov $LOW(boot_kpdpt), %ebp
    xor %ecx, %ecx
3:  mov %ecx, %eax
    shl $12, %eax
    add $LOW(boot_pd) + 3, %eax
    mov %eax, (%edx,%ecx,8)
    cmp $2, %ecx
    jae 4f
    mov %eax, 510*8(%ebp,%ecx,8)
4:  inc %ecx
    cmp $4, %ecx
    jb 3b
    mov $LOW(boot_pml4), %ebx
    lea 3(%edx), %eax
    mov %eax, (%ebx)                    /* identity, for the jump only */
    mov %eax, 256*8(%ebx)               /* PHYSMAP */
    lea 3(%ebp), %eax
    mov %eax, 511*8(%ebx)               /* KVMA */
    mov %ebx, %cr3
    mov %cr4, %eax
    or $0x20, %eax                      /* PAE */
    mov %eax, %cr4
    mov $0xC0000080, %ecx               /* EFER: LME | SCE */
    rdmsr
    or $0x101, %eax
    wrmsr
    mov %cr0, %eax
    or $0x80010001, %eax                /* PG | WP | PE */
    mov %eax, %cr0
    lgdt boot_gdt_ptr
    ljmp $0x08, $long_mode

    .code64
long_mode:
    mov $0x10, %eax
    mov %eax, %ds
    mov %eax, %es
    mov %eax, %ss
    xor %eax, %eax
    mov %eax, %fs
    mov %eax, %gs
    movabs $boot_stack_top, %rsp
    mov %esi, %esi
    mov %edi, %edi
    xchg %rsi, %rdi                     /* kmain(magic, info) */
    movabs $kmain, %rax
    call *%rax
5:  hlt
    jmp 5b

    .section .boot.data, "a"
    .align 8
boot_gdt:
    .quad 0
    .quad 0x00AF9A000000FFFF            /* 64-bit code */
    .quad 0x00CF92000000FFFF            /* data */
boot_gdt_ptr:
    .word boot_gdt_ptr - boot_gdt - 1
    .long boot_gdt

    .bss
    .align 4096
    .globl boot_pml4
boot_pml4: .space 4096
boot_pdpt: .space 4096
boot_kpdpt: .space 4096
boot_pd: .space 4 * 4096
    .globl boot_stack_top
boot_stack: .space 16384
boot_stack_top:
