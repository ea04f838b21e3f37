// Taking signals on the way back to user mode (Linux do_signal/handle_signal):
// a traced task's stop for its tracer first, default actions (terminate,
// dump, stop, ignore), handler frames on the user stack or the alternate
// signal stack (SIGSEGV when one cannot be written), system-call restart or
// EINTR, and sigreturn reading the frame back.

import type { Kernel } from "../kernel.ts";
import { KEEP_FRAME } from "../kernel.ts";
import { TaskState, type Task } from "../proc/task.ts";
import { Tf } from "../arch/trapframe.ts";
import { USER_CS, USER_DS } from "../arch/layout.ts";
import { copyFromUser, copyToUser } from "../mm/uaccess.ts";
import { Errno } from "../errno.ts";
import {
  CLD_STOPPED, DefaultAction, SA_NODEFER, SA_ONSTACK, SA_RESETHAND, SA_RESTART, SA_RESTORER, SA_SIGINFO,
  SIG_DFL, SIG_IGN, Sig, SigSet, defaultAction, type SigInfo,
} from "./signals.ts";
import {
  FPSTATE_SIZE, RtSigFrame, SigFrame, fpstateBytes, getSigcontext, putSigcontext, putSiginfo,
  regsFromFrame, retcode, type UserRegs,
} from "./frame.ts";
import { FPU_STATE_SIZE } from "../arch/x86.ts";
import { doExit, doGroupExit } from "../proc/exit.ts";
import { forceSignal, kernelInfo, threadGroup } from "./send.ts";
import { SS_AUTODISARM, doSigaltstack, getStackT, onSigStack, putStackT, sasSsFlags, sasSsReset, saveAltstack } from "./altstack.ts";
import { ptraceResumedSignal, ptraceStop, ptraceWakeTracer } from "../proc/ptrace.ts";

/** EFLAGS bits a signal handler's sigreturn may change (Linux FIX_EFLAGS): AC OF DF TF SF ZF AF PF CF RF. */
const FIX_EFLAGS = 0x50dd5;
/** EFLAGS bits cleared on entry to a handler, as the i386 ABI expects at a function's entry (Linux handle_signal). */
const HANDLER_CLEAR_EFLAGS = 0x10500; // RF DF TF

/** Wait status of a task killed by sig (core flag 0x80 for dumping signals, never set: no core files). */
export function killedStatus(sig: number): number {
  return sig & 0x7f;
}

/**
 * Runs pending unblocked signals for t, which is about to return to user mode
 * with its frame at t.ksp. Sets up at most one handler frame. May end the task
 * (state becomes Zombie) or stop it.
 */
export function doSignal(k: Kernel, t: Task): void {
  if ((k.frameRead(t, Tf.CS) & 3) !== 3) return;
  if (t.ptraceSiginfo) {
    // Back from a signal-delivery stop: the tracer's choice replaces the signal (Linux ptrace_signal).
    const sig = ptraceResumedSignal(k, t);
    if (sig !== null && deliver(k, t, sig.signo, sig)) return;
  }
  for (;;) {
    const sig = t.pending.firstNotIn(t.blocked);
    if (sig === 0) break;
    t.pending.del(sig);
    const info = t.pendingInfo[sig] ?? kernelInfo(sig);
    t.pendingInfo[sig] = undefined;
    if (t.tracer && sig !== Sig.SIGKILL) {
      ptraceStop(k, t, info);
      return;
    }
    if (deliver(k, t, sig, info)) return;
  }
  // No handler ran: a blocked system call re-executes as it is (syscallRestart stays set for it).
  if (t.savedMask) {
    t.blocked.copyFrom(t.savedMask);
    t.savedMask = null;
  }
}

/**
 * Takes the dequeued signal sig: ignores it (false: look for the next), or
 * stops or ends the group, or sets up a handler frame (true). A frame that
 * cannot be written leaves SIGSEGV pending instead (false).
 */
function deliver(k: Kernel, t: Task, sig: number, info: SigInfo): boolean {
  const action = t.sighand.action[sig];
  if (action.handler === SIG_IGN) return false;
  if (action.handler === SIG_DFL) {
    const def = defaultAction(sig);
    if (def === DefaultAction.Ignore || def === DefaultAction.Cont) return false;
    // init ignores signals it does not handle, but not SIGKILL or a fault of its own (Linux SIGNAL_UNKILLABLE).
    if (t.tgid === 1 && sig !== Sig.SIGKILL && !info.forced) return false;
    if (def === DefaultAction.Stop) {
      doStop(k, t, sig);
      return true;
    }
    doGroupExit(k, t, killedStatus(sig));
    return true;
  }
  if (handleSignal(k, t, sig, info)) return true;
  forceSigsegv(k, t, sig);
  return false;
}

/** A handler frame for sig could not be written (Linux force_sigsegv): SIGSEGV, fatal if sig was SIGSEGV. */
function forceSigsegv(k: Kernel, t: Task, sig: number): void {
  if (sig === Sig.SIGSEGV) t.sighand.action[Sig.SIGSEGV].handler = SIG_DFL;
  forceSignal(k, t, Sig.SIGSEGV, kernelInfo(Sig.SIGSEGV));
}

function doStop(k: Kernel, t: Task, sig: number): void {
  for (const th of threadGroup(k, t)) if (th.state === TaskState.Runnable || th.state === TaskState.Sleeping) th.state = TaskState.Stopped;
  const leader = k.tasks.get(t.tgid) ?? t;
  leader.stopReport = (sig << 8) | 0x7f;
  const parent = leader.parent;
  if (parent) {
    const a = parent.sighand.action[Sig.SIGCHLD];
    if (!(a.flags & 1 /* SA_NOCLDSTOP */)) {
      k.sendSignal?.(parent, Sig.SIGCHLD, { signo: Sig.SIGCHLD, code: CLD_STOPPED, pid: leader.pid, uid: leader.uid, addr: 0, status: sig });
    }
    parent.childWait.wakeUp();
  }
  if (leader.tracer) ptraceWakeTracer(k, leader);
}

/** Sets up the handler frame for sig; false when it could not be written. */
function handleSignal(k: Kernel, t: Task, sig: number, info: SigInfo): boolean {
  const action = t.sighand.action[sig];
  if (t.syscallRestart) {
    t.syscallRestart = false;
    // sigsuspend/pause (savedMask set) always return EINTR to a handler.
    if (!(action.flags & SA_RESTART) || t.savedMask) {
      t.restartFn?.(k, t); // nanosleep writes the time left to rem
      k.frameWrite(t, Tf.EAX, -Errno.EINTR);
      k.frameWrite(t, Tf.EIP, k.frameRead(t, Tf.EIP) + 2);
    }
  }
  const regs = regsFromFrame((off) => k.frameRead(t, off));
  const oldMask = t.savedMask ?? t.blocked;
  const ok = action.flags & SA_SIGINFO ? setupRtFrame(k, t, sig, info, regs, oldMask) : setupFrame(k, t, sig, regs, oldMask);
  t.savedMask = null;
  if (!ok) return false;
  const blocked = new SigSet();
  blocked.copyFrom(t.blocked);
  blocked.lo |= action.mask.lo;
  blocked.hi |= action.mask.hi;
  if (!(action.flags & SA_NODEFER)) blocked.add(sig);
  blocked.del(Sig.SIGKILL);
  blocked.del(Sig.SIGSTOP);
  t.blocked.copyFrom(blocked);
  if (action.flags & SA_RESETHAND) {
    action.handler = SIG_DFL;
    action.flags &= ~SA_SIGINFO;
  }
  return true;
}

/**
 * Where a frame of `size` bytes goes (Linux get_sigframe): below the user
 * stack pointer, or at the top of the alternate stack for an SA_ONSTACK
 * handler when not on it yet, under the FPU state (its _fpstate, at
 * regs.fpstate on return). null when a frame on the alternate stack would
 * run off its bottom (Linux returns an always-bad address: the task gets SIGSEGV).
 */
function frameAddress(t: Task, regs: UserRegs, size: number, flags: number): number | null {
  let sp = regs.esp >>> 0;
  const nested = onSigStack(t, sp);
  let entering = false;
  if (flags & SA_ONSTACK && sasSsFlags(t, sp) === 0) {
    sp = (t.sasSsSp + t.sasSsSize) >>> 0;
    entering = true;
  }
  sp = ((sp - FPSTATE_SIZE) & ~3) >>> 0; // Linux fpu__alloc_mathframe (FNSAVE format)
  regs.fpstate = sp;
  // Linux aligns so that ((sp + 4) & 15) == 0 at handler entry.
  sp = (sp - size) >>> 0;
  sp = (((sp + 4) & ~15) - 4) >>> 0;
  const onAlt = sp > t.sasSsSp && sp - t.sasSsSp <= t.sasSsSize;
  if ((nested || entering) && !onAlt) return null;
  return sp;
}

function setupFrame(k: Kernel, t: Task, sig: number, regs: UserRegs, oldMask: SigSet): boolean {
  const action = t.sighand.action[sig];
  const addr = frameAddress(t, regs, SigFrame.SIZE, action.flags);
  if (addr === null) return false;
  const bytes = new Uint8Array(SigFrame.SIZE);
  const v = new DataView(bytes.buffer);
  const pretcode = action.flags & SA_RESTORER ? action.restorer : addr + SigFrame.RETCODE;
  v.setUint32(SigFrame.PRETCODE, pretcode >>> 0, true);
  v.setUint32(SigFrame.SIG, sig, true);
  putSigcontext(v, SigFrame.SC, regs, oldMask.lo);
  v.setUint32(SigFrame.EXTRAMASK, oldMask.hi, true);
  bytes.set(retcode(false), SigFrame.RETCODE);
  if (!t.mm || copyToUser(t.mm, addr, bytes) < 0 || !saveFpuState(k, t, regs.fpstate)) return false;
  enterHandler(k, t, action.handler, addr, sig, 0, 0);
  return true;
}

function setupRtFrame(k: Kernel, t: Task, sig: number, info: SigInfo, regs: UserRegs, oldMask: SigSet): boolean {
  const action = t.sighand.action[sig];
  const addr = frameAddress(t, regs, RtSigFrame.SIZE, action.flags);
  if (addr === null) return false;
  const bytes = new Uint8Array(RtSigFrame.SIZE);
  const v = new DataView(bytes.buffer);
  const pretcode = action.flags & SA_RESTORER ? action.restorer : addr + RtSigFrame.RETCODE;
  v.setUint32(RtSigFrame.PRETCODE, pretcode >>> 0, true);
  v.setUint32(RtSigFrame.SIG, sig, true);
  v.setUint32(RtSigFrame.PINFO, addr + RtSigFrame.INFO, true);
  v.setUint32(RtSigFrame.PUC, addr + RtSigFrame.UC, true);
  putSiginfo(v, RtSigFrame.INFO, info);
  putSigcontext(v, RtSigFrame.UC_MCONTEXT, regs, oldMask.lo);
  v.setUint32(RtSigFrame.UC_SIGMASK, oldMask.lo, true);
  v.setUint32(RtSigFrame.UC_SIGMASK + 4, oldMask.hi, true);
  putStackT(v, RtSigFrame.UC_STACK, saveAltstack(t, regs.esp));
  bytes.set(retcode(true), RtSigFrame.RETCODE);
  if (!t.mm || copyToUser(t.mm, addr, bytes) < 0 || !saveFpuState(k, t, regs.fpstate)) return false;
  if (t.sasSsFlags & SS_AUTODISARM) sasSsReset(t);
  enterHandler(k, t, action.handler, addr, sig, addr + RtSigFrame.INFO, addr + RtSigFrame.UC);
  return true;
}

/**
 * Saves t's FPU state as the frame's _fpstate at `at` and gives the handler a
 * fresh FPU (Linux copy_fpstate_to_sigframe, then fpu__clear_user_states).
 * False when the stack cannot take it.
 */
function saveFpuState(k: Kernel, t: Task, at: number): boolean {
  if (copyToUser(t.mm!, at, fpstateBytes(k.fpuState(t))) < 0) return false;
  k.setFpuState(t, null);
  return true;
}

/**
 * Restores the FPU state a sigcontext names (Linux fpu__restore_sig): none (0)
 * gives a fresh FPU. False when it cannot be read (the task gets SIGSEGV).
 */
function restoreFpuState(k: Kernel, t: Task, at: number): boolean {
  if (at === 0) {
    k.setFpuState(t, null);
    return true;
  }
  const raw = t.mm ? copyFromUser(t.mm, at, FPU_STATE_SIZE) : -Errno.EFAULT;
  if (typeof raw === "number") return false;
  k.setFpuState(t, raw);
  return true;
}

/** Points the frame at the handler: ESP = frame, EIP = handler, EAX EDX ECX = (sig, info, uc) for regparm handlers. */
function enterHandler(k: Kernel, t: Task, handler: number, sp: number, sig: number, pinfo: number, puc: number): void {
  k.frameWrite(t, Tf.USER_ESP, sp);
  k.frameWrite(t, Tf.EIP, handler);
  k.frameWrite(t, Tf.EAX, sig);
  k.frameWrite(t, Tf.EDX, pinfo);
  k.frameWrite(t, Tf.ECX, puc);
  k.frameWrite(t, Tf.CS, USER_CS);
  k.frameWrite(t, Tf.USER_SS, USER_DS);
  k.frameWrite(t, Tf.DS, USER_DS);
  k.frameWrite(t, Tf.ES, USER_DS);
  k.frameWrite(t, Tf.EFLAGS, k.frameRead(t, Tf.EFLAGS) & ~HANDLER_CLEAR_EFLAGS);
}

/** sigreturn (119) and rt_sigreturn (173): restore the registers and mask saved in the frame. */
export function sysSigreturn(k: Kernel, t: Task, rt: boolean): number {
  const esp = k.frameRead(t, Tf.USER_ESP) >>> 0;
  const base = rt ? esp - 4 : esp - 8;
  const size = rt ? RtSigFrame.SIZE : SigFrame.SIZE;
  const raw = t.mm ? copyFromUser(t.mm, base, size) : -Errno.EFAULT;
  if (typeof raw === "number") {
    doExit(k, t, killedStatus(Sig.SIGSEGV));
    return KEEP_FRAME;
  }
  const v = new DataView(raw.buffer, raw.byteOffset, raw.byteLength);
  const sc = rt ? RtSigFrame.UC_MCONTEXT : SigFrame.SC;
  const regs = getSigcontext(v, sc);
  const lo = rt ? v.getUint32(RtSigFrame.UC_SIGMASK, true) : v.getUint32(SigFrame.SC + 80, true);
  const hi = rt ? v.getUint32(RtSigFrame.UC_SIGMASK + 4, true) : v.getUint32(SigFrame.EXTRAMASK, true);
  t.blocked.set(lo, hi);
  t.blocked.del(Sig.SIGKILL);
  t.blocked.del(Sig.SIGSTOP);
  restoreRegs(k, t, regs);
  if (!restoreFpuState(k, t, regs.fpstate)) {
    doExit(k, t, killedStatus(Sig.SIGSEGV));
    return KEEP_FRAME;
  }
  // rt_sigreturn also restores the alternate stack from uc_stack (Linux restore_altstack);
  // refused (EPERM) when the restored stack pointer is still on the current one.
  if (rt) doSigaltstack(t, getStackT(v, RtSigFrame.UC_STACK), regs.esp);
  return KEEP_FRAME;
}

/**
 * Puts the sigcontext's registers into the trap frame (Linux
 * restore_sigcontext): DS ES FS GS as saved, CS and SS with RPL 3 forced.
 * Whatever they hold, the exit path copes: a selector the CPU refuses there
 * is nulled (DS-GS) or fails the IRET, which sends SIGILL (kernel/traps.ts).
 */
function restoreRegs(k: Kernel, t: Task, r: UserRegs): void {
  k.frameWrite(t, Tf.GS, r.gs & 0xffff);
  k.frameWrite(t, Tf.FS, r.fs & 0xffff);
  k.frameWrite(t, Tf.ES, r.es & 0xffff);
  k.frameWrite(t, Tf.DS, r.ds & 0xffff);
  k.frameWrite(t, Tf.EDI, r.edi);
  k.frameWrite(t, Tf.ESI, r.esi);
  k.frameWrite(t, Tf.EBP, r.ebp);
  k.frameWrite(t, Tf.EBX, r.ebx);
  k.frameWrite(t, Tf.EDX, r.edx);
  k.frameWrite(t, Tf.ECX, r.ecx);
  k.frameWrite(t, Tf.EAX, r.eax);
  k.frameWrite(t, Tf.EIP, r.eip);
  k.frameWrite(t, Tf.CS, (r.cs & 0xffff) | 3);
  const fl = k.frameRead(t, Tf.EFLAGS);
  k.frameWrite(t, Tf.EFLAGS, (fl & ~FIX_EFLAGS) | (r.eflags & FIX_EFLAGS) | 0x200);
  k.frameWrite(t, Tf.USER_ESP, r.esp);
  k.frameWrite(t, Tf.USER_SS, (r.ss & 0xffff) | 3);
}

