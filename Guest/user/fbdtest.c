/* fbdtest: test=display. Writes known text to display: and reads the glyph cells back from the
 * framebuffer through fbd ("display:cell X Y"); each must match the font bitmap. */
#include "mica.h"
#include "fbdfont.h"

static _Noreturn void finish(bool ok, const char *why) { test_result("display", ok, why); }

int main(const char *arg, unsigned long a2, unsigned long a3) {
    long fd = -1;
    for (int i = 0; i < 5000 && (fd = open("display:")) < 0; i++)
        sleep_ms(1);
    if (fd < 0)
        finish(false, "no display:");
    static const char text[] = "Mica fbd 0123 AZaz~#@";
    write(fd, "\f", 1);
    write(fd, text, sizeof text - 1);
    write(fd, "\nsecond line", 12);
    char why[96];
    for (int i = 0; i < (int)sizeof text - 1; i++) {
        char url[32];
        unsigned char rows[16];
        snprintf(url, sizeof url, "display:cell %d 0", i);
        long c = open(url);
        long n = c >= 0 ? read(c, rows, sizeof rows) : c;
        if (c >= 0)
            close(c);
        if (n != 16) {
            snprintf(why, sizeof why, "cell %d: read %d", i, (int)n);
            finish(false, why);
        }
        if (memcmp(rows, font8x16[text[i] - 0x20], 16)) {
            snprintf(why, sizeof why, "cell %d ('%c') does not show its glyph", i, text[i]);
            finish(false, why);
        }
    }
    unsigned char rows[16];
    long c = open("display:cell 0 1");   /* 's' of the second line */
    if (c < 0 || read(c, rows, 16) != 16 || memcmp(rows, font8x16['s' - 0x20], 16))
        finish(false, "the second line is not below the first");
    close(c);
    printf("display: %d glyphs read back from the framebuffer\n", (int)sizeof text);
    finish(true, "");
}
