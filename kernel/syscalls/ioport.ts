// Port I/O from user mode (Linux arch/x86/kernel/ioport.c): iopl sets the
// EFLAGS I/O privilege level of the calling task, ioperm opens single ports
// through the TSS I/O permission bitmap. Both need CAP_SYS_RAWIO (root) to
// grant; both survive fork and execve (iopl(2), ioperm(2)).

import type { Kernel } from "../kernel.ts";
import type { Task } from "../proc/task.ts";
import { Errno } from "../errno.ts";
import { IO_BITMAP_BITS } from "../arch/layout.ts";
import { EFLAGS_IOPL, Tf } from "../arch/trapframe.ts";
import { define, type Syscalls } from "./table.ts";
import { NR } from "./numbers.ts";

/** iopl(level): the IOPL the task returns to user mode with. Raising it needs root. */
function sysIopl(k: Kernel, t: Task, level: number): number {
  if (level >>> 0 > 3) return -Errno.EINVAL;
  const fl = k.frameRead(t, Tf.EFLAGS);
  if (level > (fl & EFLAGS_IOPL) >>> 12 && t.euid !== 0) return -Errno.EPERM;
  k.frameWrite(t, Tf.EFLAGS, (fl & ~EFLAGS_IOPL) | (level << 12));
  return 0;
}

/**
 * ioperm(from, num, turnOn): allows (or denies again) ports [from, from+num)
 * at CPL 3. Ports must lie below IO_BITMAP_BITS (-EINVAL); allowing needs
 * root (-EPERM). The task's bitmap is made on first use.
 */
function sysIoperm(k: Kernel, t: Task, from: number, num: number, turnOn: number): number {
  from >>>= 0;
  num >>>= 0;
  if (from + num <= from || from + num > IO_BITMAP_BITS) return -Errno.EINVAL;
  if (turnOn && t.euid !== 0) return -Errno.EPERM;
  if (t.ioBitmap === null) {
    if (!turnOn) return 0;
    t.ioBitmap = new Uint8Array(IO_BITMAP_BITS / 8).fill(0xff);
  }
  const map = t.ioBitmap;
  for (let p = from; p < from + num; p++) {
    if (turnOn) map[p >>> 3] &= ~(1 << (p & 7));
    else map[p >>> 3] |= 1 << (p & 7);
  }
  if (t === k.current) k.loadIoBitmap(map);
  return 0;
}

/** Registers iopl (110) and ioperm (101). */
export function defineIoportCalls(table: Syscalls): void {
  define(table, {
    [NR.ioperm]: (k, t, from, num, on) => sysIoperm(k, t, from, num, on),
    [NR.iopl]: (k, t, level) => sysIopl(k, t, level),
  });
}
