#!/bin/sh
# Counts the non-blank, non-comment lines of the C and assembly under a folder (the kernel's size).
cd "$(dirname "$0")/.." && cat "$1"/*.c "$1"/*.h "$1"/*.S | awk '
{
    line = $0; out = ""
    while (length(line) > 0) {
        if (inblock) {
            i = index(line, "*/"); if (i == 0) { line = ""; break }
            line = substr(line, i + 2); inblock = 0
        } else {
            i = index(line, "/*"); j = index(line, "//")
            if (j > 0 && (i == 0 || j < i)) { out = out substr(line, 1, j - 1); line = ""; break }
            if (i == 0) { out = out line; line = ""; break }
            out = out substr(line, 1, i - 1); line = substr(line, i + 2); inblock = 1
        }
    }
    if (out ~ /[^ \t]/) n++
}
END { print n + 0 }'
