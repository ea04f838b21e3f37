#!/bin/sh
# Assembles the protected-mode test kernels (src/*.asm, multiboot v1 with address fields,
# flat binaries loaded at 1 MiB) into bin/NAME.bin. Needs nasm. The binaries are committed,
# so `npm test` does not need nasm; pm.test.ts re-assembles and compares when nasm exists.
set -eu
cd "$(dirname "$0")"
mkdir -p bin
for src in src/*.asm; do
  name=$(basename "$src" .asm)
  nasm -f bin -I src/ -o "bin/$name.bin" "$src"
  echo "built bin/$name.bin"
done
