#!/bin/sh
# Lets this host exec i386 Linux programs through qemu-user when its kernel cannot
# (an x86_64 kernel built without IA32 emulation, or with it disabled), so that an
# i386 reference program can itself execve() other i386 programs. Needs root and
# Debian's qemu-user. Does nothing when the host already runs i386 binaries.
#
# The entry is a binfmt_misc "magic" rule (Documentation/admin-guide/binfmt-misc.rst
# in Linux): ELF32, little-endian, e_machine EM_386 (3), e_type ET_EXEC or ET_DYN.
# Flag P passes the program's own argv[0] on; qemu 7 and later understand it.
set -eu

probe=$(mktemp)
trap 'rm -f "$probe"' EXIT
# A 96-byte static i386 ELF: exit(42) through int 0x80.
printf '\177ELF\001\001\001\000\000\000\000\000\000\000\000\000\002\000\003\000\001\000\000\000\124\200\004\010\064\000\000\000\000\000\000\000\000\000\000\000\064\000\040\000\001\000\000\000\000\000\000\000\001\000\000\000\000\000\000\000\000\200\004\010\000\200\004\010\140\000\000\000\140\000\000\000\005\000\000\000\000\020\000\000\270\001\000\000\000\273\052\000\000\000\315\200' > "$probe"
chmod +x "$probe"
status=0
"$probe" 2>/dev/null || status=$?
if [ "$status" = 42 ]; then
  echo "binfmt-qemu-i386: this host already executes i386 programs (natively or through binfmt_misc)"
  exit 0
fi

qemu=$(command -v qemu-i386 || true)
[ -n "$qemu" ] || { echo "binfmt-qemu-i386: qemu-i386 not found (apt-get install qemu-user)" >&2; exit 1; }
dir=/proc/sys/fs/binfmt_misc
[ -e "$dir/register" ] || mount -t binfmt_misc binfmt_misc "$dir"
[ -e "$dir/qemu-i386" ] && echo -1 > "$dir/qemu-i386"
printf '%s' ":qemu-i386:M::\\x7fELF\\x01\\x01\\x01\\x00\\x00\\x00\\x00\\x00\\x00\\x00\\x00\\x00\\x02\\x00\\x03\\x00:\\xff\\xff\\xff\\xff\\xff\\xfe\\xfe\\x00\\xff\\xff\\xff\\xff\\xff\\xff\\xff\\xff\\xfe\\xff\\xff\\xff:$qemu:P" > "$dir/register"

status=0
"$probe" 2>/dev/null || status=$?
[ "$status" = 42 ] || { echo "binfmt-qemu-i386: registered, but the probe exited with $status" >&2; exit 1; }
echo "binfmt-qemu-i386: i386 programs now run under $qemu"
