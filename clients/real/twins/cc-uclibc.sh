#!/bin/sh
# Compiles and links one C file statically against the cached uClibc-ng:
#   cc-uclibc.sh UCLIBC_DIR OUTPUT SOURCE
# UCLIBC_DIR is what build-uclibc.sh installed (usr/include, usr/lib).
set -eu
dir=$1 out=$2 src=$3
lib=$dir/usr/lib
cc=${CC:-gcc}
obj=$out.o
"$cc" -O2 -Wall -Wextra -nostdinc -isystem "$dir/usr/include" \
        -isystem "$("$cc" -print-file-name=include)" -c "$src" -o "$obj"
"$cc" -static -nostdlib -o "$out" "$lib/crt1.o" "$lib/crti.o" \
        "$("$cc" -print-file-name=crtbeginT.o)" "$obj" \
        -Wl,--start-group "$lib/libc.a" "$("$cc" -print-libgcc-file-name)" -Wl,--end-group \
        "$("$cc" -print-file-name=crtend.o)" "$lib/crtn.o"
rm -f "$obj"
