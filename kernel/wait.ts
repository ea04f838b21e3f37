// Wait queues: how an operation that cannot complete now (pipe read with no
// data, canonical tty read without a line, full pipe write) tells the future
// scheduler whom to wake. There are no host threads or promises: the operation
// registers the caller's Waiter, returns WOULD_BLOCK having consumed nothing,
// and the scheduler sleeps the task and retries the system call after wake().

/** Something that can be woken: the process layer's task (or a test double). */
export interface Waiter {
  /** Called at most once per registration; the waiter is already off the queue. */
  wake(): void;
}

/**
 * The distinguished "would block" result of a file operation. It is not an
 * errno (all -errno values lie in [-4095, -1]) and never reaches user space.
 */
export const WOULD_BLOCK = -0x10000;

/** A set of sleepers on one event. Waking is one-shot: a retry re-registers. */
export class WaitQueue {
  private readonly waiters: Waiter[] = [];

  /** Register w (once; adding it again is a no-op). */
  add(w: Waiter): void {
    if (this.waiters.indexOf(w) < 0) this.waiters.push(w);
  }

  /** Unregister w if present (e.g. a signal interrupted the sleep). */
  remove(w: Waiter): void {
    const i = this.waiters.indexOf(w);
    if (i >= 0) this.waiters.splice(i, 1);
  }

  has(w: Waiter): boolean {
    return this.waiters.indexOf(w) >= 0;
  }

  get length(): number {
    return this.waiters.length;
  }

  /** Empty the queue, then wake everyone who was on it; returns how many. */
  wakeUp(): number {
    const n = this.waiters.length;
    if (n === 0) return 0;
    const woken = this.waiters.splice(0, n);
    for (const w of woken) w.wake();
    return n;
  }
}
