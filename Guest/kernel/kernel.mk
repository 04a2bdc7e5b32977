# The Mica kernel: C and GNU as, linked at KVMA with the boot code at 1 MiB (kernel/kernel.ld).
KCC := gcc
KCFLAGS := -std=c11 -ffreestanding -fno-stack-protector -fno-pic -fno-pie -mno-red-zone \
           -mgeneral-regs-only -mcmodel=kernel -fno-asynchronous-unwind-tables -O2 -flto -Wall -Werror \
           -g0 -MMD -MP
KSRCS := $(wildcard kernel/*.c kernel/*.S)
KOBJS := $(patsubst kernel/%,$(BUILD)/kernel/%.o,$(KSRCS))

kernel: $(BUILD)/mica.elf

$(BUILD)/kernel/%.c.o: kernel/%.c
	@mkdir -p $(dir $@)
	$(call say,CC      $<)
	@$(KCC) $(KCFLAGS) -c $< -o $@

$(BUILD)/kernel/%.S.o: kernel/%.S
	@mkdir -p $(dir $@)
	$(call say,AS      $<)
	@$(KCC) $(KCFLAGS) -c $< -o $@

$(BUILD)/mica.elf: $(KOBJS) kernel/kernel.ld
	$(call say,LD      $@)
	@$(KCC) $(KCFLAGS) -nostdlib -static -Wl,--build-id=none,-z,max-page-size=0x1000,-z,noexecstack,--no-warn-rwx-segments,-T,kernel/kernel.ld -o $@ $(KOBJS)
	@echo "  kernel: $$(tools/kloc.sh kernel) lines of C and assembly (limit 5000)"
	@test $$(tools/kloc.sh kernel) -le 5000 || { echo "kernel over 5000 lines"; rm -f $@; exit 1; }

-include $(KOBJS:.o=.d)
