#!/bin/sh
# Prints the hash of the guest's sources: sha256 over "path\n<sha256 of file>\n" for every
# source file under Guest/ (build/ and prebuilt/ excluded), paths sorted bytewise.
# Tests/TestSupport/GuestSources.cs computes the same value; keep the two in step.
set -e
cd "$(dirname "$0")/.."
find . -type f ! -path './build/*' ! -path './prebuilt/*' ! -name '*.o' ! -name '*.d' \
    | sed 's#^\./##' | LC_ALL=C sort | while IFS= read -r f; do
        printf '%s\n%s\n' "$f" "$(sha256sum "$f" | cut -d' ' -f1)"
    done | sha256sum | cut -d' ' -f1
