// The system call table: Linux i386 numbers to handlers. Each group of calls
// lives in its own file and registers its entries here through `define`.

import type { Kernel } from "../kernel.ts";
import type { Task } from "../proc/task.ts";

/**
 * A system call handler: the six argument registers (EBX ECX EDX ESI EDI EBP,
 * as int32) in, the value for EAX out: >= 0 or -errno; WOULD_BLOCK to sleep and
 * retry (nothing consumed); KEEP_FRAME when the handler rewrote the frame.
 */
export type SyscallHandler = (k: Kernel, t: Task, a: number, b: number, c: number, d: number, e: number, f: number) => number;

export type Syscalls = (SyscallHandler | undefined)[];

export const NR_SYSCALLS = 450;

/** An empty table. */
export function newSyscallTable(): Syscalls {
  return new Array<SyscallHandler | undefined>(NR_SYSCALLS).fill(undefined);
}

/** Registers handler for each number in `entries`; a number defined twice is a bug. */
export function define(table: Syscalls, entries: Record<number, SyscallHandler>): void {
  for (const [nr, h] of Object.entries(entries)) {
    const n = Number(nr);
    if (table[n]) throw new Error(`syscall ${n} defined twice`);
    table[n] = h;
  }
}
