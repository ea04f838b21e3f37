// Resource limits: the old getrlimit (infinity shown as 0x7fffffff),
// ugetrlimit, setrlimit and prlimit64. A new RLIMIT_NOFILE is pushed into the
// FdTable, and the memory limits into the mm.

import type { Kernel } from "../kernel.ts";
import { RLIM_INFINITY, Rlimit, TaskState, mmLimitsOf, type Task } from "../proc/task.ts";
import { Errno } from "../errno.ts";
import { NR_OPEN_MAX } from "../fs/fdtable.ts";
import { getWords, putWords } from "./fs-user.ts";
import { define, type Syscalls } from "./table.ts";
import { NR } from "./numbers.ts";

export const RLIM_INFINITY32 = 0xffffffff;
/** The old getrlimit reports infinity as 0x7fffffff (Linux sys_old_getrlimit). */
const OLD_RLIM_INFINITY = 0x7fffffff;

function lim32(v: number, max: number): number {
  return !Number.isFinite(v) || v >= max ? max : v;
}

/** Apply a new [soft, hard] for resource r of t, with Linux's checks. */
export function doSetrlimit(t: Task, r: number, soft: number, hard: number): number {
  if (r < 0 || r >= Rlimit.NLIMITS) return -Errno.EINVAL;
  if (soft > hard) return -Errno.EINVAL;
  const cur = t.rlim[r];
  if (hard > cur[1] && t.euid !== 0) return -Errno.EPERM;
  if (r === Rlimit.NOFILE && hard > NR_OPEN_MAX) return -Errno.EPERM;
  cur[0] = soft;
  cur[1] = hard;
  if (r === Rlimit.NOFILE && t.files !== null) t.files.nofile = Math.min(soft, NR_OPEN_MAX);
  if (t.mm !== null && (r === Rlimit.AS || r === Rlimit.DATA || r === Rlimit.STACK)) t.mm.limits = mmLimitsOf(t.rlim);
  return 0;
}

function fromUser32(v: number): number {
  return v >>> 0 === RLIM_INFINITY32 ? RLIM_INFINITY : v >>> 0;
}

function fromUser64(lo: number, hi: number): number {
  if (lo >>> 0 === 0xffffffff && hi >>> 0 === 0xffffffff) return RLIM_INFINITY;
  const v = (hi >>> 0) * 0x1_0000_0000 + (lo >>> 0);
  return v >= Number.MAX_SAFE_INTEGER ? RLIM_INFINITY : v;
}

function put64(v: number): [number, number] {
  if (!Number.isFinite(v)) return [0xffffffff, 0xffffffff];
  const hi = Math.floor(v / 0x1_0000_0000);
  return [(v - hi * 0x1_0000_0000) >>> 0, hi >>> 0];
}

function sysPrlimit64(k: Kernel, t: Task, pid: number, r: number, newVa: number, oldVa: number): number {
  if (r < 0 || r >= Rlimit.NLIMITS) return -Errno.EINVAL;
  let target = t;
  if (pid !== 0) {
    const x = k.tasks.get(pid);
    if (x === undefined || x.state === TaskState.Zombie || x.state === TaskState.Dead) return -Errno.ESRCH;
    if (t.euid !== 0 && (x.uid !== t.uid || x.euid !== t.uid || x.suid !== t.uid)) return -Errno.EPERM;
    target = x;
  }
  let nv: [number, number] | null = null;
  if (newVa !== 0) {
    const w = getWords(t, newVa, 4);
    if (typeof w === "number") return w;
    nv = [fromUser64(w[0], w[1]), fromUser64(w[2], w[3])];
  }
  if (oldVa !== 0) {
    const [s, h] = target.rlim[r];
    const c = putWords(t, oldVa, [...put64(s), ...put64(h)]);
    if (c < 0) return c;
  }
  return nv === null ? 0 : doSetrlimit(target, r, nv[0], nv[1]);
}

/** Registers setrlimit, getrlimit, ugetrlimit and prlimit64 in table. */
export function registerRlimitSyscalls(table: Syscalls): void {
  define(table, {
    [NR.setrlimit]: (_k, t, r, va) => {
      const w = getWords(t, va, 2);
      if (typeof w === "number") return w;
      return doSetrlimit(t, r, fromUser32(w[0]), fromUser32(w[1]));
    },
    [NR.getrlimit]: (_k, t, r, va) => {
      if (r < 0 || r >= Rlimit.NLIMITS) return -Errno.EINVAL;
      const [s, h] = t.rlim[r];
      return putWords(t, va, [lim32(s, OLD_RLIM_INFINITY), lim32(h, OLD_RLIM_INFINITY)]);
    },
    [NR.ugetrlimit]: (_k, t, r, va) => {
      if (r < 0 || r >= Rlimit.NLIMITS) return -Errno.EINVAL;
      const [s, h] = t.rlim[r];
      return putWords(t, va, [lim32(s, RLIM_INFINITY32), lim32(h, RLIM_INFINITY32)]);
    },
    [NR.prlimit64]: (k, t, pid, r, nv, ov) => sysPrlimit64(k, t, pid, r, nv, ov),
  });
}
