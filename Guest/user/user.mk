# User programs and the initfs (a USTAR archive, multiboot module 0).
user: $(BUILD)/initfs.tar

$(BUILD)/initfs.tar: user/init.rc
	@mkdir -p $(BUILD)/initfs
	cp user/init.rc $(BUILD)/initfs/
	tar --format=ustar --owner=0 --group=0 --numeric-owner --mtime=@0 --sort=name \
	    -C $(BUILD)/initfs -cf $@ .
