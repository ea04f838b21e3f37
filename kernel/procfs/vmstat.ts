// /proc/vmstat: the memory manager's event counters in Linux's "name value"
// format (the subset vmalab keeps: free pages, faults, swap traffic, OOM kills).

import type { Kernel } from "../kernel.ts";
import { FAULT_DECISIONS } from "../mm/counters.ts";
import { shmemPages } from "../drivers/mm-devices.ts";

/** The text of /proc/vmstat. */
export function procVmstat(k: Kernel): string {
  const ctx = k.mmctx, c = ctx.counters;
  const pgfault = FAULT_DECISIONS.reduce((s, d) => s + c.faults[d], 0);
  const rows: [string, number][] = [
    ["nr_free_pages", ctx.frames.freeCount],
    ["nr_shmem", shmemPages(k)],
    ["nr_swap_used", ctx.swap.usedCount],
    ["pgalloc_normal", c.pagesAllocated],
    ["pgfree", c.pagesFreed],
    ["pgfault", pgfault],
    ["pgmajfault", c.majorFaults],
    ["pswpin", c.pswpin],
    ["pswpout", c.pswpout],
    ["oom_kill", c.oomKills],
  ];
  return rows.map(([n, v]) => `${n} ${v}\n`).join("");
}
