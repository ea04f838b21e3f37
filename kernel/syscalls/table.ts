// The system call table: Linux i386 numbers to handlers. Each group of calls
// lives in its own file and registers its entries here through `define`,
// naming each call by its Linux number (numbers.ts, generated from Linux's
// asm/unistd_32.h): `define(table, { [NR.sched_yield]: ... })`.

import type { Kernel } from "../kernel.ts";
import type { Task } from "../proc/task.ts";
import { SYSCALL_NAMES, syscallName } from "./numbers.ts";

/**
 * A system call handler: the six argument registers (EBX ECX EDX ESI EDI EBP,
 * as int32) in, the value for EAX out: >= 0 or -errno; WOULD_BLOCK to sleep and
 * retry (nothing consumed); KEEP_FRAME when the handler rewrote the frame.
 */
export type SyscallHandler = (k: Kernel, t: Task, a: number, b: number, c: number, d: number, e: number, f: number) => number;

export type Syscalls = (SyscallHandler | undefined)[];

/** Table size: one past the highest number Linux i386 defines (numbers.ts). */
export const NR_SYSCALLS = SYSCALL_NAMES.length;

/** An empty table. */
export function newSyscallTable(): Syscalls {
  return new Array<SyscallHandler | undefined>(NR_SYSCALLS).fill(undefined);
}

/**
 * Registers handler for each number in `entries` (keys from NR); a number
 * defined twice, or one Linux i386 does not define, is a bug.
 */
export function define(table: Syscalls, entries: Record<number, SyscallHandler>): void {
  for (const [nr, h] of Object.entries(entries)) {
    const n = Number(nr);
    if (SYSCALL_NAMES[n] === undefined) throw new Error(`syscall ${n} is not a Linux i386 system call`);
    if (table[n]) throw new Error(`syscall ${syscallName(n)} (${n}) defined twice`);
    table[n] = h;
  }
}
