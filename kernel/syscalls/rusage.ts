// Resource usage: getrusage (RUSAGE_SELF, RUSAGE_CHILDREN, RUSAGE_THREAD) and
// the struct rusage encoding that wait4 shares.

import type { Kernel } from "../kernel.ts";
import type { Task } from "../proc/task.ts";
import { Errno } from "../errno.ts";
import { CPU_HZ } from "./time-clock.ts";
import { putWords } from "./fs-user.ts";
import { define, type Syscalls } from "./table.ts";
import { NR } from "./numbers.ts";

/** What struct rusage reports: CPU times in guest cycles, maxrss in kB, fault and switch counts. */
export interface Usage {
  utime: number;
  stime: number;
  maxrss: number;
  minflt: number;
  majflt: number;
  nvcsw: number;
  nivcsw: number;
}

/** struct rusage (72 bytes) as words: ru_utime, ru_stime timevals, then 14 longs (maxrss in kB, faults, switches). */
export function rusageWords(u: Usage): number[] {
  const tv = (c: number): number[] => {
    const sec = Math.floor(c / CPU_HZ);
    return [sec, Math.floor(((c - sec * CPU_HZ) * 1e6) / CPU_HZ)];
  };
  return [...tv(u.utime), ...tv(u.stime), u.maxrss, 0, 0, 0, u.minflt, u.majflt, 0, 0, 0, 0, 0, 0, u.nvcsw, u.nivcsw];
}

function sysGetrusage(k: Kernel, t: Task, who: number, va: number): number {
  if (who !== 0 && who !== -1 && who !== 1) return -Errno.EINVAL;
  const u: Usage = { utime: 0, stime: 0, maxrss: 0, minflt: 0, majflt: 0, nvcsw: 0, nivcsw: 0 };
  const tasks = who === 1 ? [t] : who === 0 ? [...k.tasks.values()].filter((x) => x.tgid === t.tgid) : [];
  for (const x of tasks) {
    u.utime += x.utime;
    u.stime += x.stime;
    u.minflt += x.minFlt;
    u.majflt += x.majFlt;
    u.nvcsw += x.nvcsw;
    u.nivcsw += x.nivcsw;
  }
  if (who === -1) {
    const leader = k.tasks.get(t.tgid) ?? t;
    u.utime = leader.cutime;
    u.stime = leader.cstime;
  }
  if (who !== -1 && t.mm !== null) u.maxrss = t.mm.hiwaterRssNow * 4;
  return putWords(t, va, rusageWords(u));
}

/** Registers getrusage in table. */
export function registerRusageSyscalls(table: Syscalls): void {
  define(table, {
    [NR.getrusage]: (k, t, who, va) => sysGetrusage(k, t, who, va),
  });
}
