/* gdb32: a 32-bit test kernel for the gdb tests (Tests/Emulator.Tests/Gdb): an ELF32 multiboot image with
 * its symbols, so gdb sees i386 code first. It runs two small functions in 32-bit protected mode (a loop
 * and a REP STOSB), then enters long mode itself (identity map of the first GiB with 2 MiB pages) and
 * runs one in 64-bit mode, prints one line on COM1 and leaves through isa-debug-exit. */
#include "multiboot.inc"

    .text
    .code32
    .globl _start
_start:
    mov $stack_top, %esp
    call count32
    call fill32

    /* long mode (Intel SDM Vol. 3A, 10.8.5): PAE paging with the tables below, EFER.LME, then CR0.PG */
    mov $pd, %edi
    mov $0x83, %eax                     /* present, writable, 2 MiB page */
    mov $512, %ecx
1:  mov %eax, (%edi)
    add $0x200000, %eax
    add $8, %edi
    loop 1b
    movl $pd + 3, pdpt
    movl $pdpt + 3, pml4
    mov $pml4, %eax
    mov %eax, %cr3
    mov $0x20, %eax                     /* CR4: PAE alone (multiboot enters with CR4 clear) */
    mov %eax, %cr4
    mov $0xC0000080, %ecx               /* EFER: LME alone */
    mov $0x100, %eax
    xor %edx, %edx
    wrmsr
    mov $0x80000011, %eax               /* CR0: PG, ET, PE */
    mov %eax, %cr0
    lgdt gdt_pointer
    ljmp $0x08, $long64

    .globl count32
    .type count32, @function
count32:                                /* result32 = 5 + 4 + 3 + 2 + 1 */
    xor %eax, %eax
    mov $5, %ecx
1:  add %ecx, %eax
    loop 1b
    mov %eax, result32
    ret
    .size count32, . - count32

    .globl fill32
    .type fill32, @function
fill32:                                 /* buffer = "AAAA" */
    push %edi
    mov $buffer, %edi
    mov $0x41, %al
    mov $4, %ecx
    rep stosb
    pop %edi
    ret
    .size fill32, . - fill32

    .code64
long64:
    mov $0x10, %eax
    mov %eax, %ds
    mov %eax, %es
    mov %eax, %ss
    call count64
    mov $msg, %esi
    call puts64
    mov $0xF4, %dx                      /* isa-debug-exit: status (0 << 1) | 1 */
    xor %eax, %eax
    out %eax, %dx
2:  cli
    hlt
    jmp 2b

    .globl count64
    .type count64, @function
count64:
    movabs $0x1122334455667788, %rax
    mov $result64, %edi
    mov %rax, (%rdi)
    ret
    .size count64, . - count64

/* puts64: the string at RSI on COM1 (polls the transmitter-empty bit) */
puts64:
    mov $0x3FD, %dx
3:  in %dx, %al
    test $0x20, %al
    jz 3b
    lodsb
    test %al, %al
    jz 4f
    mov $0x3F8, %dx
    out %al, %dx
    jmp puts64
4:  ret

    .section .rodata
msg: .asciz "TEST gdb32: PASS\n"
    .align 8
gdt:
    .quad 0
    .quad 0x00AF9A000000FFFF            /* 0x08: 64-bit code */
    .quad 0x00CF92000000FFFF            /* 0x10: data */
gdt_pointer:
    .word gdt_pointer - gdt - 1
    .long gdt

    .data
    .globl result32, result64, buffer
result32: .long 0
    .align 8
result64: .quad 0
buffer: .space 8

    .bss
    .align 4096
pml4: .space 4096
pdpt: .space 4096
pd: .space 4096
    .space 4096
stack_top:
