/* Multiboot1 entry shared by the test kernels. The loader enters here in 32-bit protected mode with
 * paging off (Multiboot 0.6.96, 3.2). We load our own GDT, mask the 8259s, run the kernel's optional
 * 32-bit hook (boot32_hook, with paging off), identity-map the first 4 GiB with 2 MiB pages, enter
 * long mode (SDM Vol. 3A, 10.8.5: CR4.PAE, CR3, EFER.LME, CR0.PG, then a far jump) and call main(). */
#include "multiboot.inc"

    .text
    .code32
    .globl _start
_start:
    cli
    cld
    /* zero .bss (the stack lives there, so before any call) */
    mov $_load_end, %edi
    mov $_bss_end, %ecx
    sub %edi, %ecx
    xor %eax, %eax
    rep stosb
    lgdt gdt_ptr
    ljmp $0x18, $1f
1:  mov $0x10, %ax
    mov %ax, %ds
    mov %ax, %es
    mov %ax, %ss
    mov %ax, %fs
    mov %ax, %gs
    mov $kernel_stack_top, %esp
    /* mask both 8259s: the firmware may have left the timer unmasked */
    mov $0xFF, %al
    out %al, $0x21
    out %al, $0xA1
    call boot32_hook

    /* PML4[0] -> PDPT, PDPT[0..3] -> four page directories of 2 MiB pages covering 0-4 GiB.
     * U/S is set at every level so that CPL 3 probes can run the kernel's own code. */
    mov $boot_pdpt, %eax
    or $7, %eax
    mov %eax, boot_pml4
    mov $boot_pd, %eax
    or $7, %eax
    xor %ecx, %ecx
2:  mov %eax, boot_pdpt(,%ecx,8)
    add $4096, %eax
    inc %ecx
    cmp $4, %ecx
    jne 2b
    xor %ecx, %ecx                      /* entry index 0..2047 */
3:  mov %ecx, %eax
    shl $21, %eax
    or $0x87, %eax                      /* P | R/W | U/S | PS */
    mov %eax, boot_pd(,%ecx,8)
    mov %ecx, %eax
    shr $11, %eax                       /* bits 32+ of the address: ecx >> 11 */
    mov %eax, boot_pd+4(,%ecx,8)
    inc %ecx
    cmp $2048, %ecx
    jne 3b

    mov %cr4, %eax
    or $0x20, %eax                      /* CR4.PAE */
    mov %eax, %cr4
    mov $boot_pml4, %eax
    mov %eax, %cr3
    mov $0xC0000080, %ecx               /* EFER.LME */
    rdmsr
    or $0x100, %eax
    wrmsr
    mov %cr0, %eax
    or $0x80000001, %eax                /* CR0.PG | PE */
    mov %eax, %cr0
    ljmp $0x08, $long_entry

    .code64
long_entry:
    mov $0x10, %ax
    mov %ax, %ds
    mov %ax, %es
    mov %ax, %ss
    xor %eax, %eax
    mov %ax, %fs
    mov %ax, %gs
    mov $kernel_stack_top, %rsp
    call lib_init
    call main
    lea main_returned(%rip), %rdi
    call fail
    call finish

    .code32
    .weak boot32_hook
boot32_hook:
    ret

    .section .rodata
main_returned: .asciz "main returned"

    .data
    .align 16
    .globl gdt
gdt:
    .quad 0
    .quad 0x00AF9A000000FFFF            /* 0x08 kernel code, 64-bit */
    .quad 0x00CF92000000FFFF            /* 0x10 kernel data */
    .quad 0x00CF9A000000FFFF            /* 0x18 kernel code, 32-bit */
    .quad 0x00CFFA000000FFFF            /* 0x20 user code, 32-bit (compatibility mode) */
    .quad 0x00CFF2000000FFFF            /* 0x28 user data */
    .quad 0x00AFFA000000FFFF            /* 0x30 user code, 64-bit */
    .quad 0, 0                          /* 0x38 TSS, filled by lib_init */
gdt_end:
    .globl gdt_ptr
gdt_ptr:
    .word gdt_end - gdt - 1
    .quad gdt

    .bss
    .align 4096
    .globl boot_pml4
boot_pml4: .space 4096
boot_pdpt: .space 4096
    .globl boot_pd
boot_pd: .space 4 * 4096
    .align 16
    .space 16384
    .globl kernel_stack_top
kernel_stack_top:
