// The OOM killer (Linux mm/oom_kill.c, simplified): when a fault finds memory
// and swap exhausted after reclaim, the process using the most memory (rss +
// swap entries + page tables; init is never chosen) is killed with SIGKILL,
// and the console says so even when booted quiet. The faulting task retries
// its fault once the victim's memory is freed, unless it is the victim.

import type { Kernel } from "./kernel.ts";
import type { Task } from "./proc/task.ts";
import { vfsOf } from "./vfs.ts";
import { doGroupExit } from "./proc/exit.ts";
import { kernelInfo, sendGroupSignal } from "./signal/send.ts";
import { Sig } from "./signal/signals.ts";
import { TaskState } from "./proc/task.ts";
import { isSwapPte } from "./mm/swap.ts";
import type { Mm } from "./mm/mm.ts";
import { KERN_ERR } from "./printk.ts";

/** Swap entries in mm's page tables (Linux MM_SWAPENTS), by a scan. */
export function swapEntsOf(mm: Mm): number {
  const mem = mm.ctx.mem;
  let n = 0;
  if (mm.ctx.swap.usedCount === 0) return 0;
  for (let i = 0; i < 768; i++) {
    const pde = mem.read32(mm.pgd + i * 4);
    if (!(pde & 1)) continue;
    const table = (pde & ~0xfff) >>> 0;
    for (let j = 0; j < 1024; j++) if (isSwapPte(mem.read32(table + j * 4))) n++;
  }
  return n;
}

/** Linux oom_badness: pages charged to the process. */
function badness(t: Task): number {
  const mm = t.mm!;
  return mm.rss + swapEntsOf(mm) + mm.nrPtes;
}

/** The process the OOM killer would choose now, or null (only init or kernel tasks left). */
export function selectBadProcess(k: Kernel): Task | null {
  let best: Task | null = null, score = -1;
  for (const t of k.tasks.values()) {
    if (t.mm === null || t.tgid === 1 || t.pid !== t.tgid || t.state === TaskState.Dead) continue;
    const s = badness(t);
    if (s > score) {
      best = t;
      score = s;
    }
  }
  return best;
}

/**
 * Out of memory while `t` faulted: kills the largest process. Returns true if
 * t itself died (or must die), false if t should retry the fault later.
 */
export function outOfMemory(k: Kernel, t: Task): boolean {
  const victim = selectBadProcess(k) ?? t;
  if (victim.pending.has(Sig.SIGKILL)) {
    k.needResched = true; // already dying: let it run to free its memory
    return false;
  }
  const mm = victim.mm!;
  const line = `Out of memory: Killed process ${victim.tgid} (${victim.comm}) total-vm:${mm.totalVm * 4}kB, ` +
    `anon-rss:${mm.anonRss * 4}kB, file-rss:${mm.fileRss * 4}kB`;
  vfsOf(k).console.write(line + "\n");
  k.printk(line, KERN_ERR);
  k.mmctx.counters.oomKills++;
  if (victim === t || victim.tgid === t.tgid) {
    doGroupExit(k, t, Sig.SIGKILL);
    return true;
  }
  sendGroupSignal(k, victim, Sig.SIGKILL, kernelInfo(Sig.SIGKILL));
  k.needResched = true;
  return false;
}
