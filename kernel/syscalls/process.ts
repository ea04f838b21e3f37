// Process system calls: fork/vfork/clone, execve, exit/exit_group, wait4,
// process ids and groups, kill, futex, TLS and set_tid_address.

import { named } from "../named.ts";
import type { Kernel } from "../kernel.ts";
import { KEEP_FRAME } from "../kernel.ts";
import { TaskState, type Task } from "../proc/task.ts";
import { define, type Syscalls } from "./table.ts";
import { NR } from "./numbers.ts";
import { Errno } from "../errno.ts";
import { WOULD_BLOCK } from "../wait.ts";
import { CLONE_VFORK, CLONE_VM, doFork } from "../proc/fork.ts";
import { doExit, doGroupExit } from "../proc/exit.ts";
import { copyFromUser, copyToUser } from "../mm/uaccess.ts";
import { Sig, SI_TKILL, SI_USER } from "../signal/signals.ts";
import { sendGroupSignal, sendSignal, threadGroup } from "../signal/send.ts";
import { FutexState, futexKey, futexQueue, futexState, futexUnqueue, futexWake, setFutexState } from "../proc/futex.ts";
import { getTlsToUser, setTlsFromUser } from "../proc/tls.ts";
import { doExecve } from "../exec/exec.ts";
import { waitCandidates } from "../proc/ptrace.ts";
import { putWords } from "./fs-user.ts";
import { rusageWords, type Usage } from "./rusage.ts";

const WNOHANG = 1, WUNTRACED = 2, WCONTINUED = 8, WNOTHREAD = 0x20000000, WALL = 0x40000000, WCLONE = 0x80000000;
const FUTEX_WAIT = 0, FUTEX_WAKE = 1, FUTEX_PRIVATE = 128, FUTEX_CLOCK_REALTIME = 256;
const ARG_MAX_STRINGS = 0x20000; // 128 KiB of argv + envp strings, as Linux's MAX_ARG_STRLEN-era limit

function int32Bytes(v: number): Uint8Array {
  return new Uint8Array(new Int32Array([v]).buffer);
}

/** fork/vfork/clone: the common path; vfork parents sleep until the child execs or exits. */
function clone(k: Kernel, t: Task, flags: number, newsp: number, ptid: number, tls: number, ctid: number): number {
  const c = doFork(k, t, flags, newsp, ptid, tls, ctid);
  if (typeof c === "number") return c;
  if (flags & CLONE_VFORK) {
    // The parent sleeps until vforkDone fires; its syscall returns the child's pid without re-running.
    c.vforkDone!.add(t);
    k.sleepCurrent();
  }
  return c.pid;
}

/** A NUL-terminated byte string from user memory as a one-char-per-byte string; -EFAULT or -E2BIG past max. */
function userByteString(t: Task, uaddr: number, max: number): string | number {
  let out = "";
  let a = uaddr >>> 0;
  while (out.length <= max) {
    const chunk = Math.min(4096 - (a & 0xfff), max + 1 - out.length);
    const b = copyFromUser(t.mm!, a, chunk);
    if (typeof b === "number") return b;
    const nul = b.indexOf(0);
    const part = nul < 0 ? b : b.subarray(0, nul);
    out += String.fromCharCode.apply(null, Array.from(part));
    if (nul >= 0) return out;
    a += chunk;
  }
  return -Errno.E2BIG;
}

/** Reads a NULL-terminated array of string pointers (argv/envp) from user memory. */
function readStringArray(t: Task, uaddr: number, budget: { left: number }): string[] | number {
  const out: string[] = [];
  if (uaddr === 0) return out;
  for (let i = 0; ; i++) {
    const p = copyFromUser(t.mm!, uaddr + i * 4, 4);
    if (typeof p === "number") return p;
    const ptr = new DataView(p.buffer, p.byteOffset, 4).getUint32(0, true);
    if (ptr === 0) return out;
    const s = userByteString(t, ptr, budget.left);
    if (typeof s === "number") return s;
    budget.left -= s.length + 1;
    if (budget.left < 0) return -Errno.E2BIG;
    out.push(s);
  }
}

function sysExecve(k: Kernel, t: Task, pathPtr: number, argvPtr: number, envpPtr: number): number {
  if (!t.mm) return -Errno.EFAULT;
  const path = userByteString(t, pathPtr, 4095);
  if (typeof path === "number") return path;
  const budget = { left: ARG_MAX_STRINGS };
  const argv = readStringArray(t, argvPtr, budget);
  if (typeof argv === "number") return argv;
  const envp = readStringArray(t, envpPtr, budget);
  if (typeof envp === "number") return envp;
  const r = doExecve(k, t, path, argv, envp);
  return r < 0 ? r : KEEP_FRAME;
}

/** Encodes what wait4 reports for child c, or -1 when c has nothing to report under options. */
function waitStatus(c: Task, options: number): number {
  if (c.state === TaskState.Zombie) return c.exitCode;
  if ((options & WUNTRACED || c.tracer) && c.stopReport !== 0 && c.stopReport !== 0xffff) return c.stopReport; // ptrace stops need no WUNTRACED
  if ((options & WCONTINUED) && c.stopReport === 0xffff) return 0xffff;
  return -1;
}

/**
 * What wait4 reports in its rusage for child c (Linux's getrusage of the
 * child, RUSAGE_BOTH): its own CPU time, faults and switches plus those of
 * its reaped descendants' times; maxrss is its peak.
 */
function childUsage(c: Task): Usage {
  return {
    utime: c.utime + c.cutime, stime: c.stime + c.cstime, maxrss: c.mm !== null ? c.mm.hiwaterRssNow * 4 : c.maxRssKb,
    minflt: c.minFlt, majflt: c.majFlt, nvcsw: c.nvcsw, nivcsw: c.nivcsw,
  };
}

function sysWait4(k: Kernel, t: Task, pid: number, statusPtr: number, options: number, rusagePtr: number): number {
  if (options & ~(WNOHANG | WUNTRACED | WCONTINUED | WNOTHREAD | WALL | WCLONE)) return -Errno.EINVAL;
  const leader = k.tasks.get(t.tgid) ?? t;
  let any = false;
  for (const c of waitCandidates(leader, t)) {
    if (pid > 0 && c.pid !== pid) continue;
    if (pid === 0 && c.pgid !== leader.pgid) continue;
    if (pid < -1 && c.pgid !== -pid) continue;
    any = true;
    const st = waitStatus(c, options);
    if (st < 0) continue;
    if (statusPtr !== 0 && copyToUser(t.mm!, statusPtr, int32Bytes(st)) < 0) return -Errno.EFAULT;
    if (rusagePtr !== 0 && putWords(t, rusagePtr, rusageWords(childUsage(c))) < 0) return -Errno.EFAULT;
    if (c.state === TaskState.Zombie) {
      leader.children.delete(c);
      leader.cutime += c.utime + c.cutime; // Linux wait_task_zombie
      leader.cstime += c.stime + c.cstime;
      k.releaseLater(c);
    } else {
      c.stopReport = 0;
    }
    return c.pid;
  }
  if (!any) return -Errno.ECHILD;
  if (options & WNOHANG) return 0;
  leader.childWait.add(t);
  return WOULD_BLOCK;
}

function sysKill(k: Kernel, t: Task, pid: number, sig: number): number {
  if (sig < 0 || sig > 64) return -Errno.EINVAL;
  const info = { signo: sig, code: SI_USER, pid: t.tgid, uid: t.uid, addr: 0, status: 0 };
  if (pid > 0) {
    const target = k.tasks.get(pid);
    if (!target || target.tgid !== pid || target.state === TaskState.Dead || target.state === TaskState.Zombie) return -Errno.ESRCH;
    if (t.euid !== 0 && t.uid !== target.uid) return -Errno.EPERM;
    return sendGroupSignal(k, target, sig, info);
  }
  const pgid = pid === 0 ? t.pgid : pid < -1 ? -pid : -1;
  let found = false;
  for (const x of [...k.tasks.values()]) {
    if (x.pid === 0 || x.tgid !== x.pid || x.state === TaskState.Zombie || x.state === TaskState.Dead) continue;
    if (pgid === -1 ? x.pid === 1 || x.tgid === t.tgid : x.pgid !== pgid) continue;
    found = true;
    sendGroupSignal(k, x, sig, info);
  }
  return found ? 0 : -Errno.ESRCH;
}

function sysTgkill(k: Kernel, t: Task, tgid: number, tid: number, sig: number): number {
  if (sig < 0 || sig > 64 || tid <= 0) return -Errno.EINVAL;
  const target = k.tasks.get(tid);
  if (!target || (tgid > 0 && target.tgid !== tgid) || target.state === TaskState.Zombie || target.state === TaskState.Dead) return -Errno.ESRCH;
  return sendSignal(k, target, sig, { signo: sig, code: SI_TKILL, pid: t.tgid, uid: t.uid, addr: 0, status: 0 });
}

function sysSetpgid(k: Kernel, t: Task, pid: number, pgid: number): number {
  if (pgid < 0) return -Errno.EINVAL;
  const leader = k.tasks.get(t.tgid) ?? t;
  const target = pid === 0 ? leader : k.tasks.get(pid);
  if (!target || (target !== leader && target.parent !== leader)) return -Errno.ESRCH;
  if (target.sid !== leader.sid) return -Errno.EPERM;
  if (target.pid === target.sid) return -Errno.EPERM;
  const newPgid = pgid === 0 ? target.pid : pgid;
  if (newPgid !== target.pid) {
    const exists = [...k.tasks.values()].some((x) => x.pgid === newPgid && x.sid === leader.sid && x.state !== TaskState.Dead);
    if (!exists) return -Errno.EPERM;
  }
  for (const th of threadGroup(k, target)) th.pgid = newPgid;
  return 0;
}

function sysSetsid(k: Kernel, t: Task): number {
  const leader = k.tasks.get(t.tgid) ?? t;
  if ([...k.tasks.values()].some((x) => x.pgid === leader.pid && x.state !== TaskState.Dead)) return -Errno.EPERM;
  for (const th of threadGroup(k, leader)) {
    th.sid = leader.pid;
    th.pgid = leader.pid;
  }
  k.onSetsid?.(leader);
  return leader.pid;
}

function sysFutex(k: Kernel, t: Task, uaddr: number, op: number, val: number, timeoutPtr: number): number {
  const cmd = op & ~(FUTEX_PRIVATE | FUTEX_CLOCK_REALTIME);
  const mm = t.mm!;
  if (cmd === FUTEX_WAKE) return futexWake(k, mm, uaddr, val);
  if (cmd !== FUTEX_WAIT) return -Errno.ENOSYS;
  if (uaddr & 3) return -Errno.EINVAL;
  const st = futexState(t);
  if (st === FutexState.Woken || st === FutexState.TimedOut) {
    setFutexState(t, FutexState.None);
    futexUnqueue(k, t);
    return st === FutexState.Woken ? 0 : -Errno.ETIMEDOUT;
  }
  const word = copyFromUser(mm, uaddr, 4);
  if (typeof word === "number") return word;
  if (new DataView(word.buffer, word.byteOffset, 4).getInt32(0, true) !== val) {
    setFutexState(t, FutexState.None);
    futexUnqueue(k, t);
    return -Errno.EAGAIN;
  }
  const key = futexKey(mm, uaddr);
  if (key < 0) return key;
  if (st !== FutexState.Waiting && timeoutPtr !== 0) {
    const ts = copyFromUser(mm, timeoutPtr, 8);
    if (typeof ts === "number") return ts;
    const v = new DataView(ts.buffer, ts.byteOffset, 8);
    const sec = v.getInt32(0, true), nsec = v.getInt32(4, true);
    if (sec < 0 || nsec < 0 || nsec >= 1e9) return -Errno.EINVAL;
    const ticks = Math.max(1, Math.ceil((sec * 1e9 + nsec) / (1e9 / k.hz)));
    k.addTimer(k.jiffies + ticks, futexTimeout, t);
  }
  futexQueue(k, t, key);
  return WOULD_BLOCK;
}

/** A FUTEX_WAIT's timeout ran out: a task still waiting leaves the queue with ETIMEDOUT. */
const futexTimeout = named("futex.timeout", (k: Kernel, t: Task): void => {
  if (futexState(t) !== FutexState.Waiting) return;
  futexUnqueue(k, t);
  setFutexState(t, FutexState.TimedOut);
  k.wakeUp(t);
});

/** Registers the process system calls. */
export function defineProcessCalls(table: Syscalls): void {
  define(table, {
    [NR.exit]: (k, t, code) => (doExit(k, t, (code & 0xff) << 8), KEEP_FRAME),
    [NR.exit_group]: (k, t, code) => (doGroupExit(k, t, (code & 0xff) << 8), KEEP_FRAME),
    [NR.fork]: (k, t) => clone(k, t, Sig.SIGCHLD, 0, 0, 0, 0),
    [NR.vfork]: (k, t) => clone(k, t, CLONE_VM | CLONE_VFORK | Sig.SIGCHLD, 0, 0, 0, 0),
    [NR.clone]: (k, t, flags, newsp, ptid, tls, ctid) => clone(k, t, flags, newsp >>> 0, ptid, tls, ctid),
    [NR.execve]: (k, t, path, argv, envp) => sysExecve(k, t, path, argv, envp),
    [NR.wait4]: (k, t, pid, status, options, rusage) => sysWait4(k, t, pid, status, options, rusage),
    [NR.waitpid]: (k, t, pid, status, options) => sysWait4(k, t, pid, status, options, 0),
    [NR.getpid]: (_k, t) => t.tgid,
    [NR.gettid]: (_k, t) => t.pid,
    [NR.getppid]: (k, t) => (k.tasks.get(t.tgid) ?? t).parent?.tgid ?? 0,
    [NR.getpgrp]: (_k, t) => t.pgid,
    [NR.getpgid]: (k, t, pid) => {
      const x = pid === 0 ? t : k.tasks.get(pid);
      return x ? x.pgid : -Errno.ESRCH;
    },
    [NR.getsid]: (k, t, pid) => {
      const x = pid === 0 ? t : k.tasks.get(pid);
      return x ? x.sid : -Errno.ESRCH;
    },
    [NR.setpgid]: (k, t, pid, pgid) => sysSetpgid(k, t, pid, pgid),
    [NR.setsid]: (k, t) => sysSetsid(k, t),
    [NR.kill]: (k, t, pid, sig) => sysKill(k, t, pid, sig),
    [NR.tkill]: (k, t, tid, sig) => sysTgkill(k, t, -1, tid, sig),
    [NR.tgkill]: (k, t, tgid, tid, sig) => sysTgkill(k, t, tgid, tid, sig),
    [NR.set_tid_address]: (_k, t, tidptr) => {
      t.clearChildTid = tidptr;
      return t.pid;
    },
    [NR.futex]: (k, t, uaddr, op, val, timeout) => sysFutex(k, t, uaddr, op, val, timeout),
    [NR.set_thread_area]: (k, t, udesc) => setTlsFromUser(k, t, t.mm!, udesc),
    [NR.get_thread_area]: (k, t, udesc) => getTlsToUser(k, t, t.mm!, udesc),
  });
}

