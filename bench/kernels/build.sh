#!/bin/sh
# Assembles the CPU benchmark kernels (src/*.asm, multiboot v1 with address fields, flat
# binaries loaded at 1 MiB; see src/frame.inc) into bin/NAME.bin. Needs nasm. The
# binaries are committed, so `npm run bench:cpu` and the tests do not need nasm;
# tests/bench/cpu-kernels.test.ts re-assembles and compares when nasm exists.
set -eu
cd "$(dirname "$0")"
mkdir -p bin
for src in src/*.asm; do
  name=$(basename "$src" .asm)
  nasm -f bin -I src/ -o "bin/$name.bin" "$src"
  echo "built bin/$name.bin"
done
