// Fast user-space mutexes, enough for musl: FUTEX_WAIT and FUTEX_WAKE keyed by
// the physical address of the word (so private and shared futexes both work),
// with timeouts. A waiter sleeps through the WOULD_BLOCK retry of its system
// call; `futexState` tells the retry whether it was woken, timed out, or neither.

import type { Kernel } from "../kernel.ts";
import type { Mm } from "../mm/mm.ts";
import type { Task } from "./task.ts";
import { userVirtToPhys } from "../mm/uaccess.ts";

export const enum FutexState {
  None = 0,
  Waiting = 1,
  Woken = 2,
  TimedOut = 3,
}

/** The futex key of user address uaddr in mm: its physical address, or -EFAULT. */
export function futexKey(mm: Mm, uaddr: number): number {
  return userVirtToPhys(mm, uaddr, false);
}

export function futexState(t: Task): FutexState {
  return t.futexState;
}

export function setFutexState(t: Task, s: FutexState): void {
  t.futexState = s;
}

/** Puts t on the queue of key (it will sleep through WOULD_BLOCK). */
export function futexQueue(k: Kernel, t: Task, key: number): void {
  const m = k.futexQueues;
  const q = m.get(key) ?? [];
  if (!q.includes(t)) q.push(t);
  m.set(key, q);
  t.futexKey = key;
  t.futexState = FutexState.Waiting;
}

/** Takes t off whatever futex queue it is on. */
export function futexUnqueue(k: Kernel, t: Task): void {
  if (t.futexKey < 0) return;
  const m = k.futexQueues;
  const q = m.get(t.futexKey);
  if (q) {
    const i = q.indexOf(t);
    if (i >= 0) q.splice(i, 1);
    if (q.length === 0) m.delete(t.futexKey);
  }
  t.futexKey = -1;
}

/** Wakes up to n waiters on the word at uaddr of mm (FIFO); returns how many, or -EFAULT. */
export function futexWake(k: Kernel, mm: Mm, uaddr: number, n: number): number {
  const key = futexKey(mm, uaddr);
  if (key < 0) return key;
  const q = k.futexQueues.get(key);
  let woken = 0;
  while (q && q.length > 0 && woken < n) {
    const t = q[0];
    futexUnqueue(k, t);
    t.futexState = FutexState.Woken;
    k.wakeUp(t);
    woken++;
  }
  return woken;
}
