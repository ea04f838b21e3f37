// Process exit (Linux do_exit / do_group_exit / release_task): dropping the
// memory, files and fs context, waking a vfork parent and the robust-futex
// word, reparenting children to init, and notifying the parent.

import type { Kernel } from "../kernel.ts";
import { TaskState, type Task } from "./task.ts";
import { exitMm } from "../mm/memory.ts";
import { copyToUser } from "../mm/uaccess.ts";
import { CLD_DUMPED, CLD_EXITED, CLD_KILLED, SA_NOCLDWAIT, SIG_IGN, Sig } from "../signal/signals.ts";
import { sendSignal, threadGroup } from "../signal/send.ts";
import { futexWake } from "./futex.ts";
import { exitPtrace } from "./ptrace.ts";
import { panic } from "../panic.ts";

/**
 * Ends thread t with wait status `status` (exit code << 8, or the killing signal).
 * The task becomes a zombie for its parent to reap, or is released at once
 * when nobody will wait for it (a non-leader thread, or a parent ignoring SIGCHLD).
 */
export function doExit(k: Kernel, t: Task, status: number): void {
  if (t.state === TaskState.Zombie || t.state === TaskState.Dead) return;
  if (t.pid === 1) {
    if (!k.initExited) panic(`Attempted to kill init! exitcode=0x${status.toString(16).padStart(8, "0")}`);
    k.initExited(status);
  }
  if (t.clearChildTid !== 0 && t.mm) {
    if (copyToUser(t.mm, t.clearChildTid, ZERO4) === 0) futexWake(k, t.mm, t.clearChildTid, 1);
  }
  if (t.vforkDone) {
    t.vforkDone.wakeUp();
    t.vforkDone = null;
  }
  exitPtrace(k, t);
  if (t.mm) {
    t.maxRssKb = Math.max(t.maxRssKb, t.mm.hiwaterRssNow * 4);
    exitMm(t.mm);
    t.mm = null;
  }
  if (t.files) {
    k.putFiles(t.files);
    t.files = null;
  }
  t.fs = null;
  t.exitCode = status;
  t.state = TaskState.Zombie;
  k.needResched = true;

  if (t.tgid !== t.pid) {
    // A thread: nobody waits for it; the group leader's exit is reported when the last thread is gone.
    k.releaseLater(t);
    const leader = k.tasks.get(t.tgid);
    if (leader && leader.state === TaskState.Zombie && threadGroup(k, leader).every((th) => th === leader || th.state === TaskState.Zombie || th.state === TaskState.Dead)) {
      notifyParent(k, leader);
    }
    return;
  }
  reparentChildren(k, t);
  if (threadGroup(k, t).some((th) => th !== t && th.state !== TaskState.Zombie && th.state !== TaskState.Dead)) return;
  notifyParent(k, t);
}

/** exit_group: every thread of t's group exits with status. */
export function doGroupExit(k: Kernel, t: Task, status: number): void {
  for (const th of threadGroup(k, t)) {
    if (th !== t) {
      th.exitCode = status;
      doExit(k, th, status);
    }
  }
  doExit(k, t, status);
}

function notifyParent(k: Kernel, t: Task): void {
  const parent = t.parent;
  if (!parent || parent.state === TaskState.Dead) {
    k.releaseLater(t);
    return;
  }
  const a = parent.sighand.action[Sig.SIGCHLD];
  if (t.exitSignal === Sig.SIGCHLD && (a.handler === SIG_IGN || (a.flags & SA_NOCLDWAIT) !== 0)) {
    // POSIX: children of a parent ignoring SIGCHLD are reaped automatically.
    parent.children.delete(t);
    k.releaseLater(t);
    parent.childWait.wakeUp();
    return;
  }
  if (t.exitSignal > 0) {
    const st = t.exitCode;
    const code = (st & 0x7f) === 0 ? CLD_EXITED : st & 0x80 ? CLD_DUMPED : CLD_KILLED;
    sendSignal(k, parent, t.exitSignal, {
      signo: t.exitSignal, code, pid: t.pid, uid: t.uid, addr: 0,
      status: code === CLD_EXITED ? (st >>> 8) & 0xff : st & 0x7f,
    });
  }
  parent.childWait.wakeUp();
}

function reparentChildren(k: Kernel, t: Task): void {
  if (t.children.size === 0) return;
  const init = k.tasks.get(1);
  for (const c of t.children) {
    c.parent = init && init !== t ? init : null;
    if (c.parent) {
      c.parent.children.add(c);
      if (c.state === TaskState.Zombie) c.parent.childWait.wakeUp();
    } else if (c.state === TaskState.Zombie) {
      k.releaseLater(c);
    }
  }
  t.children.clear();
}

const ZERO4 = new Uint8Array(4);
