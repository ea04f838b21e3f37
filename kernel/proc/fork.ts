// Creating tasks: fork, vfork and clone (Linux do_fork/copy_process). The
// child gets a copy of the parent's trap frame on its own kernel stack, with
// EAX = 0, so it returns from the same system call as the parent.

import type { Kernel } from "../kernel.ts";
import { Rlimit, TaskState, type Task } from "./task.ts";
import { Tf, TRAP_FRAME_USER_SIZE } from "../arch/trapframe.ts";
import { kpa } from "../arch/layout.ts";
import { forkMm } from "../mm/memory.ts";
import { copyToUser } from "../mm/uaccess.ts";
import { Errno } from "../errno.ts";
import { WaitQueue } from "../wait.ts";
import { setTlsFromUser } from "./tls.ts";
import { copySigaltstack } from "../signal/altstack.ts";

export const CLONE_VM = 0x100, CLONE_FS = 0x200, CLONE_FILES = 0x400, CLONE_SIGHAND = 0x800;
export const CLONE_PTRACE = 0x2000, CLONE_VFORK = 0x4000, CLONE_PARENT = 0x8000, CLONE_THREAD = 0x10000;
export const CLONE_SYSVSEM = 0x40000, CLONE_SETTLS = 0x80000, CLONE_PARENT_SETTID = 0x100000;
export const CLONE_CHILD_CLEARTID = 0x200000, CLONE_DETACHED = 0x400000, CLONE_CHILD_SETTID = 0x1000000;
export const CSIGNAL = 0xff;

/**
 * Creates a child of t per clone `flags` (low byte = exit signal). newsp != 0
 * sets the child's user stack. Returns the child's pid, or -errno with nothing
 * left allocated. With CLONE_VFORK the parent's system call blocks until the
 * child execs or exits (the caller sees WOULD_BLOCK handling in `sysClone`).
 */
export function doFork(k: Kernel, t: Task, flags: number, newsp: number, parentTid: number, tls: number, childTid: number): Task | number {
  if ((flags & CLONE_THREAD) && !(flags & CLONE_SIGHAND)) return -Errno.EINVAL;
  if ((flags & CLONE_SIGHAND) && !(flags & CLONE_VM)) return -Errno.EINVAL;
  if (!t.mm || !t.files || !t.fs) return -Errno.EINVAL;
  const leader = k.tasks.get(t.tgid) ?? t;
  if (!(flags & CLONE_THREAD) && t.uid !== 0 && countProcesses(k, t.uid) >= t.rlim[Rlimit.NPROC][0]) return -Errno.EAGAIN;
  if (!(flags & CLONE_THREAD) && countProcesses(k, -1) >= k.maxTasks) return -Errno.EAGAIN;

  const c = k.allocTask();
  if (!c) return -Errno.EAGAIN;
  const mm = forkMm(t.mm, (flags & CLONE_VM) !== 0);
  if (typeof mm === "number") {
    k.tasks.delete(c.pid);
    k.mmctx.frames.unpinPage(c.kstackPa >>> 12);
    return mm === -Errno.ENOMEM ? -Errno.ENOMEM : mm;
  }
  c.mm = mm;
  c.files = flags & CLONE_FILES ? k.getFiles(t.files) : t.files.fork();
  c.fs = flags & CLONE_FS ? t.fs : t.fs.clone();
  if (flags & CLONE_SIGHAND) {
    c.sighand = t.sighand;
    t.sighand.refs++;
  } else {
    c.sighand = t.sighand.clone();
  }
  c.blocked.copyFrom(t.blocked);
  copySigaltstack(c, t, (flags & (CLONE_VM | CLONE_VFORK)) === CLONE_VM);
  c.comm = t.comm;
  c.cmdline = t.cmdline;
  c.exePath = t.exePath;
  c.groupInfo = t.groupInfo.slice();
  c.uid = t.uid; c.euid = t.euid; c.suid = t.suid; c.gid = t.gid; c.egid = t.egid; c.sgid = t.sgid;
  c.nice = t.nice;
  for (let i = 0; i < t.rlim.length; i++) c.rlim[i] = [t.rlim[i][0], t.rlim[i][1]];
  c.tls.set(t.tls);
  c.ioBitmap = t.ioBitmap?.slice() ?? null;
  c.fpu = k.fpuState(t);
  c.pgid = t.pgid;
  c.sid = t.sid;
  if (flags & CLONE_THREAD) {
    c.tgid = t.tgid;
    c.exitSignal = -1;
    c.parent = leader.parent;
  } else {
    c.exitSignal = flags & CSIGNAL;
    c.parent = flags & CLONE_PARENT ? leader.parent : leader;
    c.parent?.children.add(c);
  }

  // The child's frame: the parent's, returning 0, maybe on a new stack.
  const phys = k.x86.phys;
  const src = kpa(t.ksp), dst = kpa(c.ksp);
  for (let off = 0; off < TRAP_FRAME_USER_SIZE; off += 4) phys.write32(dst + off, phys.read32(src + off));
  phys.write32(dst + Tf.EAX, 0);
  if (newsp !== 0) phys.write32(dst + Tf.USER_ESP, newsp);

  if (flags & CLONE_SETTLS) {
    const r = setTlsFromUser(k, c, t.mm, tls, false);
    if (r < 0) {
      abortFork(k, c);
      return r;
    }
  }
  const tidBytes = new Uint8Array(new Int32Array([c.pid]).buffer);
  if (flags & CLONE_PARENT_SETTID) copyToUser(t.mm, parentTid, tidBytes);
  if (flags & CLONE_CHILD_SETTID) copyToUser(c.mm, childTid, tidBytes);
  if (flags & CLONE_CHILD_CLEARTID) c.clearChildTid = childTid;
  if (flags & CLONE_VFORK) c.vforkDone = new WaitQueue();

  k.makeRunnable(c);
  return c;
}

/** Undoes a doFork that failed after the task was set up. */
function abortFork(k: Kernel, c: Task): void {
  c.parent?.children.delete(c);
  if (c.mm) k.dropMm(c);
  if (c.files) k.putFiles(c.files);
  c.files = null;
  c.state = TaskState.Dead;
  k.tasks.delete(c.pid);
  k.mmctx.frames.unpinPage(c.kstackPa >>> 12);
}

/** Processes (thread-group leaders) owned by uid, or all of them for uid -1. */
function countProcesses(k: Kernel, uid: number): number {
  let n = 0;
  for (const x of k.tasks.values()) {
    if (x.pid !== 0 && x.tgid === x.pid && x.state !== TaskState.Dead && (uid < 0 || x.uid === uid)) n++;
  }
  return n;
}

