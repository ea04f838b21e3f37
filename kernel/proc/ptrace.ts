// ptrace(2) on i386 (Linux kernel/ptrace.c and arch/x86/kernel/ptrace.c):
// a tracer attaches (PTRACE_ATTACH) or is chosen by its child
// (PTRACE_TRACEME); the tracee then stops at every signal it would take
// except SIGKILL, and after every successful execve (SIGTRAP). While it is
// stopped the tracer reads and writes its memory and registers, and resumes
// it (PTRACE_CONT, PTRACE_SINGLESTEP, PTRACE_DETACH) with the signal it
// chooses, or none. The stops are job-control stops (TaskState.Stopped and
// stopReport) that wait4 reports to the tracer without WUNTRACED.

import type { Kernel } from "../kernel.ts";
import { TaskState, type Task } from "./task.ts";
import { Tf } from "../arch/trapframe.ts";
import { Errno } from "../errno.ts";
import { copyFromUser, copyToUser } from "../mm/uaccess.ts";
import { accessProcessVm } from "../mm/access-process-vm.ts";
import { CLD_TRAPPED, NSIG, SA_NOCLDSTOP, SI_KERNEL, SI_USER, Sig, type SigInfo } from "../signal/signals.ts";
import { sendSignal } from "../signal/send.ts";
import { RtSigFrame, putSiginfo } from "../signal/frame.ts";

export const PTRACE_TRACEME = 0, PTRACE_PEEKTEXT = 1, PTRACE_PEEKDATA = 2, PTRACE_PEEKUSR = 3;
export const PTRACE_POKETEXT = 4, PTRACE_POKEDATA = 5, PTRACE_CONT = 7, PTRACE_KILL = 8, PTRACE_SINGLESTEP = 9;
export const PTRACE_GETREGS = 12, PTRACE_SETREGS = 13, PTRACE_ATTACH = 16, PTRACE_DETACH = 17;
export const PTRACE_GETSIGINFO = 0x4202;

/** struct user_regs_struct (i386): ebx ecx edx esi edi ebp eax xds xes xfs xgs orig_eax eip xcs eflags esp xss. */
const USER_REGS = [
  Tf.EBX, Tf.ECX, Tf.EDX, Tf.ESI, Tf.EDI, Tf.EBP, Tf.EAX, Tf.DS, Tf.ES, Tf.FS, Tf.GS, -1 /* orig_eax */,
  Tf.EIP, Tf.CS, Tf.EFLAGS, Tf.USER_ESP, Tf.USER_SS,
];
const USER_REGS_SIZE = USER_REGS.length * 4;
/** sizeof(struct user) on i386: the registers, then FPU state, sizes, u_comm, u_debugreg[8]. */
const SIZEOF_USER = 284;
/** EFLAGS bits a tracer may set (Linux FLAG_MASK_32 without NT, which an IRET to user mode would act on). */
const FLAG_MASK = 0x50dd5;
const TF = 0x100;
const SIGINFO_SIZE = RtSigFrame.UC - RtSigFrame.INFO;

/** The tracer's leader, whose wait4 sleeps on childWait, is woken for a change of t. */
export function ptraceWakeTracer(k: Kernel, t: Task): void {
  const tr = t.tracer;
  if (tr) (k.tasks.get(tr.tgid) ?? tr).childWait.wakeUp();
}

/**
 * Tracee t stops instead of taking the signal described by info (Linux
 * ptrace_stop from ptrace_signal): the tracer gets SIGCHLD (CLD_TRAPPED)
 * and its wait4 reports WIFSTOPPED with the signal.
 */
export function ptraceStop(k: Kernel, t: Task, info: SigInfo): void {
  const tracer = t.tracer;
  if (!tracer) return;
  t.ptraceSiginfo = info;
  t.ptraceResumeSig = -1;
  t.state = TaskState.Stopped;
  t.stopReport = (info.signo << 8) | 0x7f;
  if (!(tracer.sighand.action[Sig.SIGCHLD].flags & SA_NOCLDSTOP)) {
    sendSignal(k, tracer, Sig.SIGCHLD, { signo: Sig.SIGCHLD, code: CLD_TRAPPED, pid: t.pid, uid: t.uid, addr: 0, status: info.signo });
  }
  ptraceWakeTracer(k, t);
}

/**
 * After a signal-delivery stop: the signal t must now take, with its info,
 * or null (Linux ptrace_signal): none when the tracer suppressed it or t was
 * woken by SIGKILL; a signal the tracer substituted carries the tracer as
 * sender; a blocked one is queued again.
 */
export function ptraceResumedSignal(k: Kernel, t: Task): SigInfo | null {
  const stopped = t.ptraceSiginfo;
  const sig = t.ptraceResumeSig;
  t.ptraceSiginfo = null;
  t.ptraceResumeSig = -1;
  if (!stopped || sig <= 0) return null;
  const tr = t.tracer;
  const info = sig === stopped.signo ? stopped : { signo: sig, code: SI_USER, pid: tr?.tgid ?? 0, uid: tr?.uid ?? 0, addr: 0, status: 0 };
  if (t.blocked.has(sig)) {
    sendSignal(k, t, sig, info);
    return null;
  }
  return info;
}

/** A traced task that execve'd successfully stops with SIGTRAP (Linux ptrace_event without PTRACE_O_TRACEEXEC). */
export function ptraceExecNotify(k: Kernel, t: Task): void {
  if (t.tracer) sendSignal(k, t, Sig.SIGTRAP, { signo: Sig.SIGTRAP, code: SI_USER, pid: t.tgid, uid: t.uid, addr: 0, status: 0 });
}

/**
 * t is exiting (Linux exit_ptrace and __ptrace_unlink): it stops being
 * traced, and its tracees are detached. One in a signal-delivery stop goes on
 * with its exit_code, as Linux's does: the signal it stopped for until the
 * tracer's wait4 reported the stop (wait_task_stopped clears exit_code), none
 * after.
 */
export function exitPtrace(k: Kernel, t: Task): void {
  if (t.tracer) {
    ptraceWakeTracer(k, t);
    ptraceUnlink(t);
  }
  for (const c of [...t.ptraced]) resumeDetached(k, c, c.stopReport !== 0 ? (c.ptraceSiginfo?.signo ?? 0) : 0);
}

/** Tasks the wait4 of thread t (of group leader `leader`) looks at: the children, then tracees that are not children. */
export function waitCandidates(leader: Task, t: Task): Iterable<Task> {
  if (leader.ptraced.size === 0 && t.ptraced.size === 0) return leader.children;
  const out = [...leader.children];
  for (const c of [...leader.ptraced, ...t.ptraced]) if (!out.includes(c)) out.push(c);
  return out;
}

function ptraceLink(c: Task, tracer: Task): void {
  c.tracer = tracer;
  tracer.ptraced.add(c);
}

function ptraceUnlink(c: Task): void {
  c.tracer?.ptraced.delete(c);
  c.tracer = null;
}

/** Ends tracing of c; a signal-delivery stop resumes with sig (0: none), a group stop stays stopped. */
function resumeDetached(k: Kernel, c: Task, sig: number): void {
  ptraceUnlink(c);
  k.frameWrite(c, Tf.EFLAGS, k.frameRead(c, Tf.EFLAGS) & ~TF);
  if (c.state === TaskState.Stopped && c.ptraceSiginfo) resume(k, c, sig);
}

/** Lets stopped tracee c run on; sig is the signal to take from a signal-delivery stop (Linux ptrace_resume). */
function resume(k: Kernel, c: Task, sig: number): void {
  c.ptraceResumeSig = sig;
  c.stopReport = 0;
  k.makeRunnable(c);
}

/** Linux 2.6 __ptrace_may_access: the caller's real ids must be all of the target's ids, or the caller is root. */
function mayAccess(t: Task, c: Task): boolean {
  if (t.euid === 0) return true;
  return t.uid === c.uid && t.uid === c.euid && t.uid === c.suid && t.gid === c.gid && t.gid === c.egid && t.gid === c.sgid;
}

function traceme(t: Task, leader: Task): number {
  const parent = leader.parent;
  if (t.tracer || !parent) return -Errno.EPERM;
  ptraceLink(t, parent);
  return 0;
}

function attach(k: Kernel, t: Task, c: Task): number {
  // Linux 2.6 sys_ptrace: "you may not mess with init"; nor with yourself or a dying task.
  if (c.pid === 1 || c.tgid === t.tgid || c.state === TaskState.Zombie || c.tracer) return -Errno.EPERM;
  if (!mayAccess(t, c)) return -Errno.EPERM;
  ptraceLink(c, t);
  if (c.state === TaskState.Stopped) {
    // Already in a group stop: it is a stop of the tracer's now.
    c.stopReport = (Sig.SIGSTOP << 8) | 0x7f;
    ptraceWakeTracer(k, c);
  }
  sendSignal(k, c, Sig.SIGSTOP, { signo: Sig.SIGSTOP, code: SI_KERNEL, pid: 0, uid: 0, addr: 0, status: 0 });
  return 0;
}

/** A word of struct user (Linux getreg / ptrace_read_user): the registers; the rest reads as 0. */
function peekUser(k: Kernel, c: Task, off: number): number {
  if (off >= USER_REGS_SIZE) return 0;
  const f = USER_REGS[off >>> 2];
  if (f < 0) return c.syscallRestart ? k.frameRead(c, Tf.EAX) : -1; // orig_eax: the blocked call, else none
  if (f <= Tf.DS || f === Tf.CS || f === Tf.USER_SS) return k.frameRead(c, f) & 0xffff;
  return k.frameRead(c, f);
}

function getRegs(k: Kernel, t: Task, c: Task, data: number): number {
  const b = new Uint8Array(USER_REGS_SIZE);
  const v = new DataView(b.buffer);
  for (let i = 0; i < USER_REGS.length; i++) v.setUint32(i * 4, peekUser(k, c, i * 4) >>> 0, true);
  return copyToUser(t.mm!, data, b) < 0 ? -Errno.EFAULT : 0;
}

/** A selector no user frame may carry (Linux invalid_selector): not null and not RPL 3. */
function invalidSelector(v: number): boolean {
  return (v & 0xffff) !== 0 && (v & 3) !== 3;
}

/**
 * PTRACE_SETREGS (Linux putreg): -EIO for a selector with RPL below 3, or a
 * null CS or SS; any other selector is taken, and the exit path copes with it
 * as with one from sigreturn. orig_eax is ignored.
 */
function setRegs(k: Kernel, t: Task, c: Task, data: number): number {
  const raw = copyFromUser(t.mm!, data, USER_REGS_SIZE);
  if (typeof raw === "number") return -Errno.EFAULT;
  const v = new DataView(raw.buffer, raw.byteOffset, USER_REGS_SIZE);
  const word = (f: Tf) => v.getUint32(USER_REGS.indexOf(f) * 4, true);
  for (const f of [Tf.DS, Tf.ES, Tf.FS, Tf.GS, Tf.CS, Tf.USER_SS]) if (invalidSelector(word(f))) return -Errno.EIO;
  if ((word(Tf.CS) & 0xffff) === 0 || (word(Tf.USER_SS) & 0xffff) === 0) return -Errno.EIO;
  for (const f of USER_REGS) {
    if (f < 0) continue;
    if (f === Tf.EFLAGS) k.frameWrite(c, f, (k.frameRead(c, f) & ~FLAG_MASK) | (word(f) & FLAG_MASK));
    else if (f <= Tf.DS || f === Tf.CS || f === Tf.USER_SS) k.frameWrite(c, f, word(f) & 0xffff);
    else k.frameWrite(c, f, word(f));
  }
  return 0;
}

function putWord(t: Task, uaddr: number, w: number): number {
  return copyToUser(t.mm!, uaddr, new Uint8Array(new Uint32Array([w >>> 0]).buffer)) < 0 ? -Errno.EFAULT : 0;
}

/**
 * ptrace(request, pid, addr, data), system call 26. PEEK requests store the
 * word at data (the C library returns it). -ESRCH unless pid is a tracee of
 * the caller stopped for it (PTRACE_KILL: any tracee of the caller); -EPERM
 * for a forbidden attach; -EIO for an inaccessible address, a bad signal or
 * an unknown request; -EFAULT for a bad buffer of the caller's.
 */
export function sysPtrace(k: Kernel, t: Task, request: number, pid: number, addr: number, data: number): number {
  const leader = k.tasks.get(t.tgid) ?? t;
  if (request === PTRACE_TRACEME) return traceme(t, leader);
  const c = pid > 0 ? k.tasks.get(pid) : undefined;
  if (!c || c.state === TaskState.Dead) return -Errno.ESRCH;
  if (request === PTRACE_ATTACH) return attach(k, t, c);
  if (c.tracer !== t) return -Errno.ESRCH;
  if (request === PTRACE_KILL) {
    if (c.state !== TaskState.Zombie) sendSignal(k, c, Sig.SIGKILL, { signo: Sig.SIGKILL, code: SI_KERNEL, pid: 0, uid: 0, addr: 0, status: 0 });
    return 0;
  }
  if (c.state !== TaskState.Stopped) return -Errno.ESRCH;
  addr >>>= 0;
  switch (request) {
    case PTRACE_PEEKTEXT: case PTRACE_PEEKDATA: {
      const b = new Uint8Array(4);
      if (!c.mm || accessProcessVm(c.mm, addr, b, false) !== 4) return -Errno.EIO;
      return putWord(t, data, new DataView(b.buffer).getUint32(0, true));
    }
    case PTRACE_PEEKUSR:
      if ((addr & 3) !== 0 || addr >= SIZEOF_USER) return -Errno.EIO;
      return putWord(t, data, peekUser(k, c, addr));
    case PTRACE_POKETEXT: case PTRACE_POKEDATA: {
      const b = new Uint8Array(new Uint32Array([data >>> 0]).buffer);
      return c.mm && accessProcessVm(c.mm, addr, b, true) === 4 ? 0 : -Errno.EIO;
    }
    case PTRACE_CONT: case PTRACE_SINGLESTEP: case PTRACE_DETACH: {
      if (data < 0 || data > NSIG) return -Errno.EIO;
      if (request === PTRACE_DETACH) {
        resumeDetached(k, c, data);
        return 0;
      }
      const fl = k.frameRead(c, Tf.EFLAGS);
      k.frameWrite(c, Tf.EFLAGS, request === PTRACE_SINGLESTEP ? fl | TF : fl & ~TF);
      resume(k, c, data);
      return 0;
    }
    case PTRACE_GETREGS:
      return getRegs(k, t, c, data);
    case PTRACE_SETREGS:
      return setRegs(k, t, c, data);
    case PTRACE_GETSIGINFO: {
      if (!c.ptraceSiginfo) return -Errno.EINVAL;
      const b = new Uint8Array(SIGINFO_SIZE);
      putSiginfo(new DataView(b.buffer), 0, c.ptraceSiginfo);
      return copyToUser(t.mm!, data, b) < 0 ? -Errno.EFAULT : 0;
    }
    default:
      return -Errno.EIO;
  }
}
