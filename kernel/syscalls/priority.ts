// Scheduling priority: getpriority and setpriority on a process, a process
// group or a user's processes. The nice value is kept (Task.nice) and
// reported; the round-robin scheduler does not weigh it.

import type { Kernel } from "../kernel.ts";
import { TaskState, type Task } from "../proc/task.ts";
import { Errno } from "../errno.ts";
import { define, type Syscalls } from "./table.ts";
import { NR } from "./numbers.ts";

function sysGetpriority(k: Kernel, t: Task, which: number, who: number): number {
  const targets = priorityTargets(k, t, which, who);
  if (typeof targets === "number") return targets;
  let best = -Infinity;
  for (const x of targets) best = Math.max(best, 20 - x.nice);
  return best;
}

function sysSetpriority(k: Kernel, t: Task, which: number, who: number, nice: number): number {
  const targets = priorityTargets(k, t, which, who);
  if (typeof targets === "number") return targets;
  const n = Math.max(-20, Math.min(19, nice | 0));
  for (const x of targets) {
    if (t.euid !== 0 && x.uid !== t.euid && x.euid !== t.euid) return -Errno.EPERM;
    if (n < x.nice && t.euid !== 0) return -Errno.EACCES;
    x.nice = n;
  }
  return 0;
}

/** PRIO_PROCESS 0, PRIO_PGRP 1, PRIO_USER 2; who 0 = the caller's. */
function priorityTargets(k: Kernel, t: Task, which: number, who: number): Task[] | number {
  const live = [...k.tasks.values()].filter((x) => x.state !== TaskState.Zombie && x.state !== TaskState.Dead);
  let out: Task[];
  if (which === 0) out = who === 0 ? [t] : live.filter((x) => x.tgid === who);
  else if (which === 1) out = live.filter((x) => x.pgid === (who === 0 ? t.pgid : who));
  else if (which === 2) out = live.filter((x) => x.uid === (who === 0 ? t.uid : who));
  else return -Errno.EINVAL;
  return out.length === 0 ? -Errno.ESRCH : out;
}

/** Registers getpriority and setpriority in table. */
export function registerPrioritySyscalls(table: Syscalls): void {
  define(table, {
    [NR.getpriority]: (k, t, which, who) => sysGetpriority(k, t, which, who),
    [NR.setpriority]: (k, t, which, who, nice) => sysSetpriority(k, t, which, who, nice),
  });
}
