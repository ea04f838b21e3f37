// Scheduler calls: sched_yield (give up the CPU at the next return to user
// mode) and sched_getaffinity (one CPU).

import { Errno } from "../errno.ts";
import { putWords } from "./fs-user.ts";
import { define, type Syscalls } from "./table.ts";
import { NR } from "./numbers.ts";

/** Registers sched_yield and sched_getaffinity in table. */
export function registerSchedSyscalls(table: Syscalls): void {
  define(table, {
    [NR.sched_yield]: (k) => {
      k.needResched = true;
      return 0;
    },
    [NR.sched_getaffinity]: (_k, t, _pid, len, va) => {
      // One CPU: the mask is the single bit 0, in a 4-byte cpumask.
      if ((len >>> 0) < 4) return -Errno.EINVAL;
      const c = putWords(t, va, [1]);
      return c < 0 ? c : 4;
    },
  });
}
