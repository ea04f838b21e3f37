#!/bin/sh
# Builds the differential test programs (tests/diff/src/*.c) into tests/diff/bin/ and
# records their output on this host's own CPU (an x86 kernel, or x86_64 with IA32
# emulation) as tests/diff/expected/NAME.txt; it refuses to record under qemu-user, which
# differs from the hardware in places (see QEMU_DIFFERS in diff.test.ts). Needs clang, lld and musl-dev:i386 (see the brief).
# The built binaries and the expected outputs are committed, so `npm test` needs neither.
# Usage: sh tests/diff/build.sh [--no-run]   (--no-run: compile only, keep expected/)
set -eu
cd "$(dirname "$0")"
MUSL=/usr/lib/i386-linux-musl
RT=/usr/lib/llvm-14/lib/clang/14.0.6/lib/linux/libclang_rt.builtins-i386.a
CFLAGS="--target=i386-linux-musl -march=i486 -static -fno-pic -fuse-ld=lld -O1 -Wall -Werror -Wl,--build-id=none"
mkdir -p bin expected
for src in src/*.c; do
  name=$(basename "$src" .c)
  if [ "$name" = libc ]; then
    # Linked against musl: exercises the loader's libc start-up path.
    clang $CFLAGS -nostdlib -isystem /usr/include/i386-linux-musl "$src" \
      $MUSL/crt1.o $MUSL/crti.o $MUSL/libc.a "$RT" $MUSL/crtn.o -o "bin/$name"
  elif [ "$name" = mem ] || [ "$name" = jit ]; then
    # -N: one writable+executable segment, for the self-modifying-code tests.
    clang $CFLAGS -Wl,-N -nostdlib -ffreestanding -fno-builtin "$src" "$RT" -o "bin/$name"
  else
    clang $CFLAGS -nostdlib -ffreestanding -fno-builtin "$src" "$RT" -o "bin/$name"
  fi
  echo "built bin/$name"
done
[ "${1:-}" = "--no-run" ] && exit 0
for f in /proc/sys/fs/binfmt_misc/*; do
  if grep -qs '^interpreter .*qemu-i386' "$f" && grep -qsx enabled "$f"; then
    echo "i386 programs run under qemu-user here ($f): not recording expected/ (use --no-run)" >&2
    exit 1
  fi
done
./bin/alu > /dev/null 2>&1 || { echo "this host cannot execute i386 programs: not recording expected/ (use --no-run)" >&2; exit 1; }
for bin in bin/*; do
  name=$(basename "$bin")
  set +e
  "./$bin" > "expected/$name.txt" 2>/dev/null
  rc=$?
  set -e
  echo "exit $rc" >> "expected/$name.txt"
  # A second run must print the same thing (no addresses, no time in the output).
  set +e
  "./$bin" 2>/dev/null > "expected/$name.txt.again"
  echo "exit $?" >> "expected/$name.txt.again"
  set -e
  cmp -s "expected/$name.txt.again" "expected/$name.txt" || { echo "$bin is not deterministic" >&2; exit 1; }
  rm -f "expected/$name.txt.again"
  echo "ran $bin: exit $rc, $(wc -l < "expected/$name.txt") lines"
done
