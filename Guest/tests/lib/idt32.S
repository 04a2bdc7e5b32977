/* A 32-bit protected-mode IDT for the work kernels do in boot32_hook (paging off or on, before long
 * mode): interrupt gates for vectors 0-31 whose common stub records the vector, error code (0 when
 * the exception has none), EIP and CR2, then resumes at the address in fault32_resume.
 * Usage from 32-bit code:  call idt32_init;  movl $1f, fault32_resume;  <faulting insn>;  1: ... */
    .text
    .code32
    .altmacro
.macro stub32 n
    .align 16
stub32_\n:
    .if (\n == 8) || (\n >= 10 && \n <= 14) || (\n == 17) || (\n == 21) || (\n == 29) || (\n == 30)
    .else
    pushl $0
    .endif
    pushl $\n
    jmp common32
.endm
stubs32:
.set i, 0
.rept 32
    stub32 %i
.set i, i + 1
.endr

common32:                               /* stack: vector, error, eip, cs, eflags */
    pushl %eax
    movl 4(%esp), %eax
    movl %eax, fault32_vector
    movl 8(%esp), %eax
    movl %eax, fault32_error
    movl 12(%esp), %eax
    movl %eax, fault32_eip
    movl %cr2, %eax
    movl %eax, fault32_cr2
    movl fault32_resume, %eax
    movl %eax, 12(%esp)
    popl %eax
    addl $8, %esp
    iret

    .globl idt32_init
idt32_init:
    pushl %ecx
    pushl %eax
    xorl %ecx, %ecx
1:  movl %ecx, %eax
    shll $4, %eax
    addl $stubs32, %eax
    movw %ax, idt32(,%ecx,8)
    movw $0x18, idt32 + 2(,%ecx,8)      /* 32-bit kernel code */
    movw $0x8E00, idt32 + 4(,%ecx,8)    /* present, DPL 0, 32-bit interrupt gate */
    shrl $16, %eax
    movw %ax, idt32 + 6(,%ecx,8)
    incl %ecx
    cmpl $32, %ecx
    jne 1b
    lidt idt32_ptr
    popl %eax
    popl %ecx
    ret

    .data
    .align 8
idt32: .space 32 * 8
idt32_ptr:
    .word 32 * 8 - 1
    .long idt32
    .globl fault32_vector, fault32_error, fault32_eip, fault32_cr2, fault32_resume
fault32_vector: .long 0
fault32_error: .long 0
fault32_eip: .long 0
fault32_cr2: .long 0
fault32_resume: .long 0
