// getrandom: bytes from the kernel's deterministic generator (the one behind
// /dev/urandom), so runs repeat exactly.

import type { Kernel } from "../kernel.ts";
import type { Task } from "../proc/task.ts";
import { Errno } from "../errno.ts";
import { RW_CHUNK } from "../fs/readwrite.ts";
import { putBytes } from "./fs-user.ts";
import { vfsOf } from "../vfs.ts";
import { define, type Syscalls } from "./table.ts";
import { NR } from "./numbers.ts";

/** getrandom(buf, count, flags): bytes of the kernel's deterministic generator, in pieces. */
function sysGetrandom(k: Kernel, t: Task, buf: number, count: number, flags: number): number {
  if ((flags & ~7) !== 0) return -Errno.EINVAL;
  const n = Math.min(count >>> 0, 0x1ffffff);
  const rng = vfsOf(k).rng;
  let done = 0;
  while (done < n) {
    const piece = new Uint8Array(Math.min(n - done, RW_CHUNK));
    rng.fill(piece);
    const c = putBytes(t, buf + done, piece);
    if (c < 0) return done > 0 ? done : c;
    done += piece.length;
  }
  return done;
}

/** Registers getrandom in table. */
export function registerRandomSyscalls(table: Syscalls): void {
  define(table, {
    [NR.getrandom]: (k, t, buf, count, flags) => sysGetrandom(k, t, buf, count, flags),
  });
}
