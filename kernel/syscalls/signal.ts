// Signal system calls: sigaction and rt_sigaction, sigprocmask and
// rt_sigprocmask, sigpending, sigsuspend and pause, sigreturn, signal(),
// sigaltstack, and ptrace (whose stops are signal stops).

import type { Kernel } from "../kernel.ts";
import type { Task } from "../proc/task.ts";
import { define, type Syscalls } from "./table.ts";
import { NR } from "./numbers.ts";
import { Errno } from "../errno.ts";
import { WOULD_BLOCK } from "../wait.ts";
import { copyFromUser, copyToUser } from "../mm/uaccess.ts";
import { NSIG, SIG_BLOCK, SIG_SETMASK, SIG_UNBLOCK, Sig, SigSet, sigUnblockable } from "../signal/signals.ts";
import { sysSigreturn } from "../signal/deliver.ts";
import { StackT, doSigaltstack, getStackT, putStackT, saveAltstack } from "../signal/altstack.ts";
import { sysPtrace } from "../proc/ptrace.ts";
import { Tf } from "../arch/trapframe.ts";

function readWords(t: Task, uaddr: number, n: number): Uint32Array | number {
  const raw = copyFromUser(t.mm!, uaddr, n * 4);
  if (typeof raw === "number") return raw;
  const out = new Uint32Array(n);
  const v = new DataView(raw.buffer, raw.byteOffset, n * 4);
  for (let i = 0; i < n; i++) out[i] = v.getUint32(i * 4, true);
  return out;
}

function writeWords(t: Task, uaddr: number, words: number[]): number {
  const b = new Uint8Array(words.length * 4);
  const v = new DataView(b.buffer);
  words.forEach((w, i) => v.setUint32(i * 4, w >>> 0, true));
  return copyToUser(t.mm!, uaddr, b);
}

/**
 * rt_sigaction (rt = true: struct {handler, flags, restorer, mask[2]}) and the old
 * sigaction (struct {handler, mask, flags, restorer}).
 */
function sigaction(t: Task, sig: number, act: number, oact: number, rt: boolean): number {
  if (sig < 1 || sig > NSIG) return -Errno.EINVAL;
  const a = t.sighand.action[sig];
  let next: Uint32Array | null = null;
  if (act !== 0) {
    const w = readWords(t, act, rt ? 5 : 4);
    if (typeof w === "number") return w;
    next = w;
    if (sigUnblockable(sig)) return -Errno.EINVAL;
  }
  if (oact !== 0) {
    const words = rt ? [a.handler, a.flags, a.restorer, a.mask.lo, a.mask.hi] : [a.handler, a.mask.lo, a.flags, a.restorer];
    const r = writeWords(t, oact, words);
    if (r < 0) return r;
  }
  if (next) {
    if (rt) {
      a.handler = next[0]; a.flags = next[1]; a.restorer = next[2]; a.mask.set(next[3], next[4]);
    } else {
      a.handler = next[0]; a.mask.set(next[1], a.mask.hi); a.flags = next[2]; a.restorer = next[3];
    }
    a.mask.del(Sig.SIGKILL);
    a.mask.del(Sig.SIGSTOP);
  }
  return 0;
}

function sigprocmask(t: Task, how: number, set: number, oset: number, words: number): number {
  const old = [t.blocked.lo, t.blocked.hi];
  if (set !== 0) {
    const w = readWords(t, set, words);
    if (typeof w === "number") return w;
    const lo = w[0], hi = words > 1 ? w[1] : t.blocked.hi;
    const hiMask = words > 1 ? hi : 0;
    switch (how) {
      case SIG_BLOCK: t.blocked.set(t.blocked.lo | lo, t.blocked.hi | hiMask); break;
      case SIG_UNBLOCK: t.blocked.set(t.blocked.lo & ~lo, t.blocked.hi & ~hiMask); break;
      case SIG_SETMASK: t.blocked.set(lo, hi); break;
      default: return -Errno.EINVAL;
    }
    t.blocked.del(Sig.SIGKILL);
    t.blocked.del(Sig.SIGSTOP);
  }
  if (oset !== 0) return writeWords(t, oset, words > 1 ? old : [old[0]]);
  return 0;
}

/** sigsuspend/pause: sleep with `mask` until a signal is taken; always ends in -EINTR through the handler path. */
function sigsuspend(k: Kernel, t: Task, mask: SigSet | null): number {
  if (!t.savedMask) {
    t.savedMask = new SigSet();
    t.savedMask.copyFrom(t.blocked);
  }
  if (mask) {
    t.blocked.copyFrom(mask);
    t.blocked.del(Sig.SIGKILL);
    t.blocked.del(Sig.SIGSTOP);
  }
  void k;
  return WOULD_BLOCK;
}

/**
 * sigaltstack(ss, oss) (Linux sys_sigaltstack): reads ss first (-EFAULT),
 * installs it against the user stack pointer, then writes the previous
 * stack_t to oss only when that succeeded.
 */
function sigaltstack(k: Kernel, t: Task, ss: number, oss: number): number {
  const sp = k.frameRead(t, Tf.USER_ESP);
  const old = saveAltstack(t, sp);
  if (ss !== 0) {
    const raw = copyFromUser(t.mm!, ss, StackT.SIZE);
    if (typeof raw === "number") return raw;
    const r = doSigaltstack(t, getStackT(new DataView(raw.buffer, raw.byteOffset, StackT.SIZE), 0), sp);
    if (r < 0) return r;
  }
  if (oss === 0) return 0;
  const b = new Uint8Array(StackT.SIZE);
  putStackT(new DataView(b.buffer), 0, old);
  return copyToUser(t.mm!, oss, b);
}

/** Registers the signal system calls. */
export function defineSignalCalls(table: Syscalls): void {
  define(table, {
    [NR.rt_sigaction]: (_k, t, sig, act, oact, size) => (size !== 8 ? -Errno.EINVAL : sigaction(t, sig, act, oact, true)),
    [NR.sigaction]: (_k, t, sig, act, oact) => sigaction(t, sig, act, oact, false),
    [NR.signal]: (_k, t, sig, handler) => {
      if (sig < 1 || sig > NSIG || sigUnblockable(sig)) return -Errno.EINVAL;
      const a = t.sighand.action[sig];
      const old = a.handler;
      a.handler = handler >>> 0;
      a.flags = 0x80000000 | 0x40000000; // SA_RESETHAND | SA_NODEFER: System V signal() semantics
      return old;
    },
    [NR.rt_sigprocmask]: (_k, t, how, set, oset, size) => (size !== 8 ? -Errno.EINVAL : sigprocmask(t, how, set, oset, 2)),
    [NR.sigprocmask]: (_k, t, how, set, oset) => sigprocmask(t, how, set, oset, 1),
    [NR.rt_sigpending]: (_k, t, set, size) => (size > 8 ? -Errno.EINVAL : writeWords(t, set, [t.pending.lo & t.blocked.lo, t.pending.hi & t.blocked.hi])),
    [NR.sigpending]: (_k, t, set) => writeWords(t, set, [t.pending.lo & t.blocked.lo]),
    [NR.rt_sigsuspend]: (k, t, maskp, size) => {
      if (size !== 8) return -Errno.EINVAL;
      const w = readWords(t, maskp, 2);
      if (typeof w === "number") return w;
      const m = new SigSet();
      m.set(w[0], w[1]);
      return sigsuspend(k, t, m);
    },
    [NR.sigsuspend]: (k, t, _a, _b, maskWord) => {
      const m = new SigSet();
      m.set(maskWord, t.blocked.hi);
      return sigsuspend(k, t, m);
    },
    [NR.pause]: (k, t) => sigsuspend(k, t, null),
    [NR.sigreturn]: (k, t) => sysSigreturn(k, t, false),
    [NR.rt_sigreturn]: (k, t) => sysSigreturn(k, t, true),
    [NR.sigaltstack]: (k, t, ss, oss) => sigaltstack(k, t, ss, oss),
    [NR.ptrace]: (k, t, request, pid, addr, data) => sysPtrace(k, t, request, pid, addr, data),
  });
}
