# Bare-metal test kernels: each is a multiboot1 image that reports on COM1 and exits via isa-debug-exit.
# hello.S stands alone; every other kernel is NAME.c (plus NAME_asm.S when it has one) linked with
# the support library in tests/lib (boot to long mode, serial, printing, IDT, paging). See README.md.
GT_KERNELS := $(basename $(notdir $(wildcard tests/*.c)))
GT_CFLAGS := -std=c11 -ffreestanding -nostdlib -fno-stack-protector -fno-pic -fno-pie -mno-red-zone \
             -mgeneral-regs-only -O2 -Wall -Werror -g0 -fno-asynchronous-unwind-tables \
             -fno-tree-loop-distribute-patterns -MMD -MP -Itests/lib
GT_LDFLAGS := -n -z noexecstack --no-warn-rwx-segments -T tests/test.ld
GT_LIB_OBJS := $(patsubst tests/lib/%,$(BUILD)/tests/lib/%.o,$(basename $(wildcard tests/lib/*.c tests/lib/*.S)))
GT_ASM_OBJS := $(patsubst tests/%.S,$(BUILD)/tests/%.o,$(wildcard tests/*_asm.S))
TEST_ELFS := $(BUILD)/tests/hello.elf $(BUILD)/tests/lowload.elf $(GT_KERNELS:%=$(BUILD)/tests/%.elf)

tests: $(TEST_ELFS)

$(BUILD)/tests/%.o: tests/%.S
	@mkdir -p $(dir $@)
	@echo "  AS      $<"
	@gcc -MMD -MP -Itests/lib -c $< -o $@

$(BUILD)/tests/%.o: tests/%.c
	@mkdir -p $(dir $@)
	@echo "  CC      $<"
	@gcc $(GT_CFLAGS) -c $< -o $@

$(BUILD)/tests/hello.elf: $(BUILD)/tests/hello.o tests/test.ld tests/tests.mk
	@echo "  LD      $@"
	@ld $(GT_LDFLAGS) -o $@ $<

# lowload.S stands alone too, linked at 0x9000 (conventional memory) by its own script
$(BUILD)/tests/lowload.elf: $(BUILD)/tests/lowload.o tests/lowload.ld tests/tests.mk
	@echo "  LD      $@"
	@ld -n -z noexecstack --no-warn-rwx-segments -T tests/lowload.ld -o $@ $<

$(BUILD)/tests/%.elf: $(BUILD)/tests/%.o $(GT_LIB_OBJS) tests/test.ld tests/tests.mk
	@echo "  LD      $@"
	@ld $(GT_LDFLAGS) -o $@ $(filter %.o,$^)

# coremix links the support library first and keeps its functions in source order, so that its own
# hot code ends .text and shares a page with its .data right after (the layout it measures: stores
# beside code)
$(BUILD)/tests/coremix.o: GT_CFLAGS += -fno-toplevel-reorder
$(BUILD)/tests/coremix.elf: $(BUILD)/tests/coremix.o $(GT_LIB_OBJS) tests/test.ld tests/tests.mk
	@echo "  LD      $@"
	@ld $(GT_LDFLAGS) -o $@ $(GT_LIB_OBJS) $(BUILD)/tests/coremix.o

# kernels with an assembly part (32-bit code, fault sites) link it too
$(foreach o,$(GT_ASM_OBJS),$(eval $(patsubst %_asm.o,%.elf,$(o)): $(o)))

-include $(wildcard $(BUILD)/tests/*.d $(BUILD)/tests/lib/*.d)

# gdb32 stands alone too: an ELF32 image (gdb tests need a 32-bit kernel with its symbols)
tests: $(BUILD)/tests/gdb32.elf
$(BUILD)/tests/gdb32.o: tests/gdb32.S
	@mkdir -p $(dir $@)
	@echo "  AS      $<"
	@gcc -m32 -MMD -MP -Itests/lib -c $< -o $@
$(BUILD)/tests/gdb32.elf: $(BUILD)/tests/gdb32.o tests/test.ld tests/tests.mk
	@echo "  LD      $@"
	@ld -m elf_i386 $(GT_LDFLAGS) -o $@ $<

# simd: its computation (tests/simd/work.c) is ordinary code built with SSE enabled, as a compiler
# builds it by default (no -mgeneral-regs-only), and -fno-math-errno so that sqrt is SQRTSD; the
# kernel part (simd.c) keeps to general registers like the support library
SIMD_CFLAGS := -O2 -fno-math-errno
GT_SIMD_CFLAGS := $(filter-out -mgeneral-regs-only,$(GT_CFLAGS)) $(SIMD_CFLAGS)
$(BUILD)/tests/simd/work.o: tests/simd/work.c
	@mkdir -p $(dir $@)
	@echo "  CC      $<"
	@gcc $(GT_SIMD_CFLAGS) -c $< -o $@
$(BUILD)/tests/simd.elf: $(BUILD)/tests/simd/work.o
# the same computation as a native program on the host CPU (SimdKernelTests runs it; not part of `all`)
$(BUILD)/tests/simd/host: tests/simd/work.c tests/simd/host.c tests/simd/work.h
	@mkdir -p $(dir $@)
	@gcc -std=c11 $(SIMD_CFLAGS) -Wall -Werror -o $@ tests/simd/work.c tests/simd/host.c
-include $(wildcard $(BUILD)/tests/simd/*.d)
