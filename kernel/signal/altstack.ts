// The alternate signal stack (sigaltstack(2), Linux kernel/signal.c
// do_sigaltstack and include/linux/sched/signal.h on_sig_stack): per task,
// inherited by fork, reset for CLONE_VM threads and by execve. Whether the
// task runs on it is computed from its stack pointer, never remembered.

import type { Task } from "../proc/task.ts";
import { Errno } from "../errno.ts";

export const SS_ONSTACK = 1, SS_DISABLE = 2;
/** Linux 4.7: disarm the stack while a handler runs on it (sas_ss_reset in signal setup). */
export const SS_AUTODISARM = 0x80000000;
/** Smallest alternate stack on i386 (arch/x86/include/uapi/asm/signal.h). */
export const MINSIGSTKSZ = 2048;
/** struct stack_t on i386: ss_sp, ss_flags, ss_size. */
export const enum StackT { SP = 0, FLAGS = 4, SIZE_FIELD = 8, SIZE = 12 }

/** A stack_t as the kernel reads or writes it. */
export interface AltStack {
  sp: number;
  flags: number;
  size: number;
}

/** True when sp lies on t's alternate stack (Linux on_sig_stack: never while SS_AUTODISARM is set). */
export function onSigStack(t: Task, sp: number): boolean {
  if (t.sasSsFlags & SS_AUTODISARM) return false;
  const d = ((sp >>> 0) - t.sasSsSp) >>> 0;
  return (sp >>> 0) > t.sasSsSp && d <= t.sasSsSize;
}

/** What stack_t.ss_flags reports for user stack pointer sp (Linux sas_ss_flags). */
export function sasSsFlags(t: Task, sp: number): number {
  if (t.sasSsSize === 0) return SS_DISABLE;
  return onSigStack(t, sp) ? SS_ONSTACK : 0;
}

/** The stack_t of t as seen with user stack pointer sp (Linux __save_altstack). */
export function saveAltstack(t: Task, sp: number): AltStack {
  return { sp: t.sasSsSp, flags: sasSsFlags(t, sp) | (t.sasSsFlags & SS_AUTODISARM), size: t.sasSsSize };
}

/** Disables t's alternate stack (Linux sas_ss_reset): execve, CLONE_VM threads, SS_AUTODISARM delivery. */
export function sasSsReset(t: Task): void {
  t.sasSsSp = 0;
  t.sasSsSize = 0;
  t.sasSsFlags = SS_DISABLE;
}

/**
 * Installs `ss` as t's alternate stack, t's user stack pointer being sp
 * (Linux do_sigaltstack): -EPERM while running on the current one, -EINVAL
 * for a mode other than 0, SS_ONSTACK or SS_DISABLE, -ENOMEM below
 * MINSIGSTKSZ; 0 when installed.
 */
export function doSigaltstack(t: Task, ss: AltStack, sp: number): number {
  if (onSigStack(t, sp)) return -Errno.EPERM;
  const mode = (ss.flags & ~SS_AUTODISARM) >>> 0;
  if (mode !== SS_DISABLE && mode !== SS_ONSTACK && mode !== 0) return -Errno.EINVAL;
  if (mode === SS_DISABLE) {
    t.sasSsSp = 0;
    t.sasSsSize = 0;
  } else {
    if ((ss.size >>> 0) < MINSIGSTKSZ) return -Errno.ENOMEM;
    t.sasSsSp = ss.sp >>> 0;
    t.sasSsSize = ss.size >>> 0;
  }
  t.sasSsFlags = ss.flags >>> 0;
  return 0;
}

/** fork/clone: the child inherits the stack, except a CLONE_VM child without CLONE_VFORK (Linux copy_process). */
export function copySigaltstack(child: Task, parent: Task, sharesVmNotVfork: boolean): void {
  if (sharesVmNotVfork) return sasSsReset(child);
  child.sasSsSp = parent.sasSsSp;
  child.sasSsSize = parent.sasSsSize;
  child.sasSsFlags = parent.sasSsFlags;
}

/** Reads a stack_t at off of v. */
export function getStackT(v: DataView, off: number): AltStack {
  return { sp: v.getUint32(off + StackT.SP, true), flags: v.getUint32(off + StackT.FLAGS, true), size: v.getUint32(off + StackT.SIZE_FIELD, true) };
}

/** Writes a stack_t at off of v. */
export function putStackT(v: DataView, off: number, s: AltStack): void {
  v.setUint32(off + StackT.SP, s.sp >>> 0, true);
  v.setUint32(off + StackT.FLAGS, s.flags >>> 0, true);
  v.setUint32(off + StackT.SIZE_FIELD, s.size >>> 0, true);
}
