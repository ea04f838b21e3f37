#!/bin/sh
# Assembles halt.asm into halt.bin (committed, so the tests do not need nasm).
set -eu
cd "$(dirname "$0")"
nasm -f bin -l halt.lst -o halt.bin halt.asm
rm -f halt.lst
echo "built halt.bin"
