// Generating signals (Linux send_sig_info / force_sig_info): marking them
// pending, waking or continuing the target, and choosing the thread of a
// process that takes a process-directed signal.

import type { Kernel } from "../kernel.ts";
import { TaskState, type Task } from "../proc/task.ts";
import { DefaultAction, Sig, SIG_DFL, SIG_IGN, SI_KERNEL, defaultAction, sigUnblockable, type SigInfo } from "./signals.ts";

/** A SigInfo for a signal the kernel raises itself. */
export function kernelInfo(sig: number, code = SI_KERNEL, addr = 0): SigInfo {
  return { signo: sig, code, pid: 0, uid: 0, addr, status: 0 };
}

/** True when sig would be thrown away on arrival: ignored (explicitly, or by default), not blocked, not traced. */
function ignoredOnArrival(t: Task, sig: number): boolean {
  if (t.blocked.has(sig)) return false;
  if (t.tracer && sig !== Sig.SIGKILL) return false; // the tracer sees every signal (Linux sig_ignored)
  const h = t.sighand.action[sig].handler;
  if (h === SIG_IGN) return true;
  return h === SIG_DFL && defaultAction(sig) === DefaultAction.Ignore;
}

/**
 * Makes sig pending for thread t with info (Linux send_sig_info on one thread).
 * Stop and continue signals cancel each other; SIGKILL and SIGCONT wake a stopped task.
 * Returns 0 (the signal was posted or discarded as ignored).
 */
export function sendSignal(k: Kernel, t: Task, sig: number, info: SigInfo): number {
  if (sig === 0 || t.state === TaskState.Zombie || t.state === TaskState.Dead) return 0;
  if (sig === Sig.SIGCONT || sig === Sig.SIGKILL) {
    for (const th of threadGroup(k, t)) {
      th.pending.del(Sig.SIGSTOP); th.pending.del(Sig.SIGTSTP); th.pending.del(Sig.SIGTTIN); th.pending.del(Sig.SIGTTOU);
      // SIGCONT does not end a ptrace signal-delivery stop; only the tracer or SIGKILL does.
      if (th.state === TaskState.Stopped && !(sig === Sig.SIGCONT && th.ptraceSiginfo)) {
        k.makeRunnable(th);
        if (sig === Sig.SIGCONT) reportContinued(k, th);
      }
    }
  } else if (defaultAction(sig) === DefaultAction.Stop) {
    t.pending.del(Sig.SIGCONT);
  }
  if (ignoredOnArrival(t, sig) && sig !== Sig.SIGCONT) return 0;
  t.pending.add(sig);
  if (!t.pendingInfo[sig] || sig >= Sig.SIGRTMIN) t.pendingInfo[sig] = info;
  if (t.state === TaskState.Sleeping && (!t.blocked.has(sig) || sigUnblockable(sig))) k.makeRunnable(t);
  return 0;
}

/** A process-directed signal: to the first thread of t's group that does not block it (Linux complete_signal). */
export function sendGroupSignal(k: Kernel, t: Task, sig: number, info: SigInfo): number {
  const group = threadGroup(k, t);
  const target = group.find((th) => !th.blocked.has(sig)) ?? group[0];
  if (sig === Sig.SIGKILL) {
    for (const th of group) sendSignal(k, th, sig, info);
    return 0;
  }
  return sendSignal(k, target, sig, info);
}

/**
 * A synchronous fault signal (SIGSEGV, SIGBUS, SIGILL, SIGFPE, SIGTRAP) that must be taken:
 * if blocked or ignored it is unblocked and reset to the default action (Linux force_sig_info).
 */
export function forceSignal(k: Kernel, t: Task, sig: number, info: SigInfo): void {
  const a = t.sighand.action[sig];
  if (t.blocked.has(sig) || a.handler === SIG_IGN) {
    a.handler = SIG_DFL;
    t.blocked.del(sig);
  }
  t.pending.add(sig);
  t.pendingInfo[sig] = { ...info, forced: true };
}

/** Every live thread of t's thread group (leader first). */
export function threadGroup(k: Kernel, t: Task): Task[] {
  const out: Task[] = [];
  const leader = k.tasks.get(t.tgid);
  if (leader && leader.state !== TaskState.Dead) out.push(leader);
  for (const th of k.tasks.values()) {
    if (th.tgid === t.tgid && th !== leader && th.state !== TaskState.Dead) out.push(th);
  }
  return out;
}

function reportContinued(k: Kernel, t: Task): void {
  const leader = k.tasks.get(t.tgid) ?? t;
  leader.stopReport = 0xffff;
  leader.parent?.childWait.wakeUp();
}
