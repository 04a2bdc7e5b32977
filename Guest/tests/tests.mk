# Bare-metal test kernels: each is a multiboot1 image that reports on COM1 and exits via isa-debug-exit.
TEST_SRCS := $(wildcard tests/*.S)
TEST_ELFS := $(patsubst tests/%.S,$(BUILD)/tests/%.elf,$(TEST_SRCS))

tests: $(TEST_ELFS)

$(BUILD)/tests/%.o: tests/%.S
	@mkdir -p $(dir $@)
	gcc -c $< -o $@

$(BUILD)/tests/%.elf: $(BUILD)/tests/%.o tests/test.ld
	ld -n --no-warn-rwx-segments -T tests/test.ld -o $@ $<
