// Supplementary groups: getgroups and setgroups, 16-bit and 32-bit forms.
// The list itself is the task's (Task.groupInfo).

import type { Task } from "../proc/task.ts";
import { Errno } from "../errno.ts";
import { getBytes, putBytes, putWords } from "./fs-user.ts";
import { low16 } from "./ids.ts";
import { define, type Syscalls } from "./table.ts";
import { NR } from "./numbers.ts";

const NGROUPS_MAX = 65536;

function getgroups(t: Task, size: number, va: number, bits16: boolean): number {
  const g = t.groupInfo;
  if (size < 0) return -Errno.EINVAL;
  if (size === 0) return g.length;
  if (size < g.length) return -Errno.EINVAL;
  if (bits16) {
    const b = new Uint8Array(g.length * 2);
    g.forEach((x, i) => {
      const v = low16(x);
      b[2 * i] = v & 0xff;
      b[2 * i + 1] = v >>> 8;
    });
    const c = putBytes(t, va, b);
    return c < 0 ? c : g.length;
  }
  const c = putWords(t, va, [...g]);
  return c < 0 ? c : g.length;
}

function setgroups(t: Task, size: number, va: number, bits16: boolean): number {
  if (t.euid !== 0) return -Errno.EPERM;
  if (size < 0 || size > NGROUPS_MAX) return -Errno.EINVAL;
  const b = getBytes(t, va, size * (bits16 ? 2 : 4));
  if (typeof b === "number") return b;
  const v = new DataView(b.buffer, b.byteOffset, b.length);
  const g: number[] = [];
  for (let i = 0; i < size; i++) g.push(bits16 ? v.getUint16(2 * i, true) : v.getUint32(4 * i, true));
  g.sort((a, c) => a - c);
  t.groupInfo = g;
  return 0;
}

/** Registers getgroups, setgroups and their 32-bit forms in table. */
export function registerGroupSyscalls(table: Syscalls): void {
  define(table, {
    [NR.getgroups]: (_k, t, size, va) => getgroups(t, size, va, true),
    [NR.setgroups]: (_k, t, size, va) => setgroups(t, size, va, true),
    [NR.getgroups32]: (_k, t, size, va) => getgroups(t, size, va, false),
    [NR.setgroups32]: (_k, t, size, va) => setgroups(t, size, va, false),
  });
}
