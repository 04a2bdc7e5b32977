# User programs (one .c each, linked with the runtime in lib/) and the initfs (USTAR, module 0).
UCFLAGS := -std=c11 -ffreestanding -fno-stack-protector -fno-pic -fno-pie -mno-red-zone \
           -mgeneral-regs-only -fno-asynchronous-unwind-tables -fno-builtin -O2 -Wall -Werror \
           -Wno-unused-parameter -g0 -MMD -MP -Ilib -Ikernel
LIB_OBJS := $(patsubst lib/%,$(BUILD)/lib/%.o,$(wildcard lib/*.c lib/*.S))
PROGRAMS := $(patsubst user/%.c,%,$(wildcard user/*.c))
PROG_ELFS := $(patsubst %,$(BUILD)/user/%,$(PROGRAMS))

user: $(BUILD)/initfs.tar

$(BUILD)/lib/%.c.o: lib/%.c
	@mkdir -p $(dir $@)
	$(call say,CC      $<)
	@gcc $(UCFLAGS) -c $< -o $@
$(BUILD)/lib/%.S.o: lib/%.S
	@mkdir -p $(dir $@)
	$(call say,AS      $<)
	@gcc $(UCFLAGS) -c $< -o $@
$(BUILD)/user/%.o: user/%.c
	@mkdir -p $(dir $@)
	$(call say,CC      $<)
	@gcc $(UCFLAGS) -c $< -o $@
# fputest is ordinary compiler output with SSE (test=fpu: the kernel keeps each thread's registers)
$(BUILD)/user/fputest.o: UCFLAGS := $(filter-out -mgeneral-regs-only,$(UCFLAGS)) -fno-math-errno
$(BUILD)/user/%: $(BUILD)/user/%.o $(LIB_OBJS) user/user.ld
	$(call say,LD      $@)
	@ld -z max-page-size=0x1000 -z noexecstack -T user/user.ld -o $@ $< $(LIB_OBJS)

$(BUILD)/initfs.tar: $(PROG_ELFS) user/init.rc
	$(call say,TAR     $@)
	@cp user/init.rc $(BUILD)/user/
	@tar --format=ustar --owner=0 --group=0 --numeric-owner --mtime=@0 -C $(BUILD)/user \
	    -cf $@ init.rc $(PROGRAMS)

-include $(LIB_OBJS:.o=.d) $(PROG_ELFS:=.d)

# fbd's font: user/fbdfont.h is generated from a Debian console font (package console-setup-linux)
# and committed, since a build machine need not have the package; `make font` regenerates it.
FONT_PSF ?= /usr/share/consolefonts/Lat15-Fixed16.psf.gz
.PHONY: font
font:
	python3 tools/psf2c.py $(FONT_PSF) > user/fbdfont.h
