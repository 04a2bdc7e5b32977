# The Mica kernel. Replaced by the real kernel build; this stub boots, prints and exits.
KCC := gcc
KCFLAGS := -std=c11 -ffreestanding -fno-stack-protector -fno-pic -mno-red-zone \
           -mgeneral-regs-only -mcmodel=kernel -O2 -Wall -Werror -g0
KOBJS := $(BUILD)/kernel/boot.o

kernel: $(BUILD)/mica.elf

$(BUILD)/kernel/%.o: kernel/%.S
	@mkdir -p $(dir $@)
	$(KCC) -c $< -o $@

$(BUILD)/mica.elf: $(KOBJS) kernel/kernel.ld
	ld -n --no-warn-rwx-segments -T kernel/kernel.ld -o $@ $(KOBJS)
