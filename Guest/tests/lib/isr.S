/* Interrupt entry stubs for all 256 vectors, the common path to isr_dispatch(struct frame *), the
 * SYSCALL entry hook and a setjmp/longjmp pair. Vectors 8, 10-14, 17, 21, 29 and 30 push an error
 * code (SDM Vol. 3A, 6.13); the others get a zero so every frame has the same shape. */
    .text
    .code64
    .altmacro
.macro stub n
    .align 16
isr_stub_\n:
    .if (\n == 8) || (\n >= 10 && \n <= 14) || (\n == 17) || (\n == 21) || (\n == 29) || (\n == 30)
    .else
    pushq $0
    .endif
    pushq $\n
    jmp isr_common
.endm
    .globl isr_stubs
isr_stubs:
.set i, 0
.rept 256
    stub %i
.set i, i + 1
.endr

isr_common:
    push %rax
    push %rbx
    push %rcx
    push %rdx
    push %rsi
    push %rdi
    push %rbp
    push %r8
    push %r9
    push %r10
    push %r11
    push %r12
    push %r13
    push %r14
    push %r15
    mov %rsp, %rdi
    cld
    call isr_dispatch
    pop %r15
    pop %r14
    pop %r13
    pop %r12
    pop %r11
    pop %r10
    pop %r9
    pop %r8
    pop %rbp
    pop %rdi
    pop %rsi
    pop %rdx
    pop %rcx
    pop %rbx
    pop %rax
    add $16, %rsp
    iretq

    /* int save_context(jmp_buf_t b): rbx rbp r12-r15 rsp rip */
    .globl save_context
save_context:
    mov %rbx, 0(%rdi)
    mov %rbp, 8(%rdi)
    mov %r12, 16(%rdi)
    mov %r13, 24(%rdi)
    mov %r14, 32(%rdi)
    mov %r15, 40(%rdi)
    lea 8(%rsp), %rax
    mov %rax, 48(%rdi)
    mov (%rsp), %rax
    mov %rax, 56(%rdi)
    xor %eax, %eax
    ret

    /* void restore_context(jmp_buf_t b, int v): also restores the kernel data segments, which a
     * fault taken at CPL 3 leaves as the user's (SS becomes null). */
    .globl restore_context
restore_context:
    mov $0x10, %ax
    mov %ax, %ds
    mov %ax, %es
    mov %ax, %ss
    mov 0(%rdi), %rbx
    mov 8(%rdi), %rbp
    mov 16(%rdi), %r12
    mov 24(%rdi), %r13
    mov 32(%rdi), %r14
    mov 40(%rdi), %r15
    mov 48(%rdi), %rsp
    mov %esi, %eax
    jmp *56(%rdi)

    /* void enter_user(uint64_t rip, uint64_t rsp): IRETQ to CPL 3, 64-bit user code, IF clear */
    .globl enter_user
enter_user:
    pushq $0x2B
    pushq %rsi
    pushq $0x2
    pushq $0x33
    pushq %rdi
    iretq
