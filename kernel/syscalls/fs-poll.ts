// poll, ppoll, select (_newselect) and pselect6 on the files' readiness
// (FileOps.poll). If nothing is ready and the timeout is not zero, each file
// has registered the task on its wait queue; a timer is armed for the
// timeout and the call returns WOULD_BLOCK. The retry recomputes readiness;
// a retry at or after the deadline returns 0 ready descriptors.

import { named } from "../named.ts";
import type { Kernel } from "../kernel.ts";
import type { PollWait, Task } from "../proc/task.ts";
import { Errno } from "../errno.ts";
import { WOULD_BLOCK } from "../wait.ts";
import type { File, IoCaller } from "../fs/file.ts";
import { POLLIN, POLLPRI, POLLOUT, POLLERR, POLLHUP, POLLNVAL, POLLRDNORM, POLLWRNORM } from "../fs/file.ts";
import { getBytes, getWords, putBytes, putWords } from "./fs-user.ts";
import { SigSet, Sig } from "../signal/signals.ts";
import { HZ } from "../drivers/i8254.ts";
import { CPU_HZ } from "./time-clock.ts";
import { DEFAULT_POLLMASK } from "../fs/readwrite.ts";

const POLLRDBAND = 0x080;
const POLLWRBAND = 0x200;
const POLLIN_SET = POLLRDNORM | POLLRDBAND | POLLIN | POLLHUP | POLLERR;
const POLLOUT_SET = POLLWRBAND | POLLWRNORM | POLLOUT | POLLERR;
const POLLEX_SET = POLLPRI;

function fileMask(file: File, caller: IoCaller): number {
  return file.fop.poll ? file.fop.poll(file, caller) : DEFAULT_POLLMASK;
}

/**
 * The deadline of this call: a fresh one from timeoutCycles (<0: none), or the
 * saved one if this is the retry of the same blocked call.
 */
function deadlineFor(k: Kernel, t: Task, timeoutCycles: number): PollWait {
  const w = t.pollWait;
  if (t.syscallRestart && w !== null) return w;
  const nw: PollWait = { deadline: timeoutCycles < 0 ? Infinity : k.x86.cycles() + timeoutCycles, timerArmed: -1 };
  t.pollWait = nw;
  return nw;
}

/** Nothing ready: sleep until a queue fires or the deadline passes. Returns WOULD_BLOCK, or 0 if the deadline has passed. */
function sleepOrTimeout(k: Kernel, t: Task, w: PollWait): number {
  const now = k.x86.cycles();
  if (w.deadline <= now) {
    finish(t);
    return 0;
  }
  if (w.deadline !== Infinity) {
    const ticks = Math.max(1, Math.ceil(((w.deadline - now) * HZ) / CPU_HZ));
    const due = k.jiffies + ticks;
    if (w.timerArmed !== due) {
      w.timerArmed = due;
      k.addTimer(due, pollTimeout, { t, w });
    }
  }
  return WOULD_BLOCK;
}

/** A poll/select deadline came: wake the task if it still waits that wait. */
const pollTimeout = named("poll.timeout", (k: Kernel, d: { t: Task; w: PollWait }): void => {
  if (d.t.pollWait === d.w) k.wakeUp(d.t);
});

/** The call completes: forget its wait record, remembering the deadline for select's time-left report. */
function finish(t: Task): void {
  const w = t.pollWait;
  if (w !== null) t.pollLastDeadline = w.deadline;
  t.pollWait = null;
}

/** The poll loop over a pollfd array (fd i32, events i16, revents i16). */
function doPoll(k: Kernel, t: Task, ufds: number, nfds: number, timeoutCycles: number): number {
  const files = t.files;
  if (files === null) return -Errno.EBADF;
  if (nfds < 0 || nfds > files.nofile) return -Errno.EINVAL;
  const raw = getBytes(t, ufds, nfds * 8);
  if (typeof raw === "number") return raw;
  const v = new DataView(raw.buffer, raw.byteOffset, raw.length);
  const w = deadlineFor(k, t, timeoutCycles);
  const caller = t.fsCaller;
  let count = 0;
  for (let i = 0; i < nfds; i++) {
    const fd = v.getInt32(i * 8, true);
    const events = v.getUint16(i * 8 + 4, true);
    let revents = 0;
    if (fd >= 0) {
      const file = files.get(fd);
      if (file === null) revents = POLLNVAL;
      else revents = fileMask(file, caller) & (events | POLLERR | POLLHUP);
    }
    v.setUint16(i * 8 + 6, revents, true);
    if (revents !== 0) count++;
  }
  if (count === 0 && timeoutCycles !== 0) {
    const r = sleepOrTimeout(k, t, w);
    if (r === WOULD_BLOCK) return r;
  }
  finish(t);
  const c = putBytes(t, ufds, raw);
  return c < 0 ? c : count;
}

function msToCycles(ms: number): number {
  return ms < 0 ? -1 : Math.floor((ms * CPU_HZ) / 1000);
}

/** poll(fds, nfds, timeout_ms). */
export function sysPoll(k: Kernel, t: Task, ufds: number, nfds: number, timeout: number): number {
  return doPoll(k, t, ufds, nfds, msToCycles(timeout | 0));
}

/** A timespec at va: [sec, nsec] in 32-bit or 64-bit tv_sec layout; -EINVAL for bad nsec. */
export function getTimespec(t: Task, va: number, time64: boolean): [number, number] | number {
  if (time64) {
    const w = getWords(t, va, 4);
    if (typeof w === "number") return w;
    const sec = w[1] * 0x1_0000_0000 + (w[0] >>> 0);
    const nsec = w[2];
    if (sec < 0 || nsec < 0 || nsec >= 1e9) return -Errno.EINVAL;
    return [sec, nsec];
  }
  const w = getWords(t, va, 2);
  if (typeof w === "number") return w;
  if (w[0] < 0 || w[1] < 0 || w[1] >= 1e9) return -Errno.EINVAL;
  return [w[0], w[1]];
}

export function timespecToCycles(sec: number, nsec: number): number {
  return sec * CPU_HZ + Math.ceil((nsec * CPU_HZ) / 1e9);
}

/** Apply a temporary signal mask for ppoll/pselect6 (restored on return or by signal delivery). */
function setTempMask(t: Task, maskVa: number, size: number): number {
  if (maskVa === 0) return 0;
  if (size !== 8) return -Errno.EINVAL;
  const w = getWords(t, maskVa, 2);
  if (typeof w === "number") return w;
  if (t.savedMask === null) {
    const saved = new SigSet();
    saved.copyFrom(t.blocked);
    t.savedMask = saved;
  }
  t.blocked.lo = w[0] >>> 0;
  t.blocked.hi = w[1] >>> 0;
  t.blocked.del(Sig.SIGKILL);
  t.blocked.del(Sig.SIGSTOP);
  return 0;
}

function restoreTempMask(t: Task, maskVa: number, r: number): number {
  if (maskVa !== 0 && r !== WOULD_BLOCK && t.savedMask !== null) {
    t.blocked.copyFrom(t.savedMask);
    t.savedMask = null;
  }
  return r;
}

/** ppoll(fds, nfds, timespec*, sigmask*, sigsetsize) and its time64 twin. */
function ppoll(k: Kernel, t: Task, ufds: number, nfds: number, tsp: number, mask: number, size: number, time64: boolean): number {
  let cycles = -1;
  if (tsp !== 0) {
    const ts = getTimespec(t, tsp, time64);
    if (typeof ts === "number") return ts;
    cycles = timespecToCycles(ts[0], ts[1]);
  }
  const m = setTempMask(t, mask, size);
  if (m < 0) return m;
  return restoreTempMask(t, mask, doPoll(k, t, ufds, nfds, cycles));
}

export const sysPpoll = (k: Kernel, t: Task, a: number, b: number, c: number, d: number, e: number): number =>
  ppoll(k, t, a, b, c, d, e, false);
export const sysPpollTime64 = (k: Kernel, t: Task, a: number, b: number, c: number, d: number, e: number): number =>
  ppoll(k, t, a, b, c, d, e, true);

/** The select loop over fd_set bitmaps; writes the result sets back. */
function doSelect(k: Kernel, t: Task, n: number, inp: number, outp: number, exp: number, timeoutCycles: number): number {
  const files = t.files;
  if (files === null) return -Errno.EBADF;
  if (n < 0) return -Errno.EINVAL;
  n = Math.min(n, files.nofile);
  const words = (n + 31) >>> 5;
  const sets: (Int32Array | null)[] = [];
  for (const va of [inp, outp, exp]) {
    if (va === 0) {
      sets.push(null);
      continue;
    }
    const s = getWords(t, va, words);
    if (typeof s === "number") return s;
    sets.push(s);
  }
  const res = [new Int32Array(words), new Int32Array(words), new Int32Array(words)];
  const w = deadlineFor(k, t, timeoutCycles);
  const caller = t.fsCaller;
  let count = 0;
  for (let fd = 0; fd < n; fd++) {
    const bit = 1 << (fd & 31);
    const wi = fd >>> 5;
    const want = [sets[0] !== null && (sets[0][wi] & bit) !== 0, sets[1] !== null && (sets[1][wi] & bit) !== 0, sets[2] !== null && (sets[2][wi] & bit) !== 0];
    if (!want[0] && !want[1] && !want[2]) continue;
    const file = files.get(fd);
    if (file === null) {
      finish(t);
      return -Errno.EBADF;
    }
    const mask = fileMask(file, caller);
    const hits = [want[0] && (mask & POLLIN_SET) !== 0, want[1] && (mask & POLLOUT_SET) !== 0, want[2] && (mask & POLLEX_SET) !== 0];
    for (let s = 0; s < 3; s++) {
      if (hits[s]) {
        res[s][wi] |= bit;
        count++;
      }
    }
  }
  if (count === 0 && timeoutCycles !== 0) {
    const r = sleepOrTimeout(k, t, w);
    if (r === WOULD_BLOCK) return r;
  }
  finish(t);
  const vas = [inp, outp, exp];
  for (let s = 0; s < 3; s++) {
    if (vas[s] === 0) continue;
    const c = putWords(t, vas[s], Array.from(res[s]));
    if (c < 0) return c;
  }
  return count;
}

/** Remaining time of a select deadline, in cycles (0 when past). */
function remaining(k: Kernel, deadline: number): number {
  return Math.max(0, deadline - k.x86.cycles());
}

/** _newselect(n, inp, outp, exp, struct timeval *tvp): tvp is updated with the time left, as Linux does. */
export function sysSelect(k: Kernel, t: Task, n: number, inp: number, outp: number, exp: number, tvp: number): number {
  let cycles = -1;
  if (tvp !== 0) {
    const tv = getWords(t, tvp, 2);
    if (typeof tv === "number") return tv;
    if (tv[0] < 0 || tv[1] < 0 || tv[1] >= 1_000_000) return -Errno.EINVAL;
    cycles = timespecToCycles(tv[0], tv[1] * 1000);
  }
  const r = doSelect(k, t, n, inp, outp, exp, cycles);
  if (r !== WOULD_BLOCK && r >= 0 && tvp !== 0) {
    const left = remaining(k, t.pollLastDeadline);
    const sec = Math.floor(left / CPU_HZ);
    putWords(t, tvp, [sec, Math.floor(((left - sec * CPU_HZ) * 1e6) / CPU_HZ)]);
  }
  return r;
}

function pselect(k: Kernel, t: Task, n: number, inp: number, outp: number, exp: number, tsp: number, sig: number, time64: boolean): number {
  let cycles = -1;
  if (tsp !== 0) {
    const ts = getTimespec(t, tsp, time64);
    if (typeof ts === "number") return ts;
    cycles = timespecToCycles(ts[0], ts[1]);
  }
  let maskVa = 0;
  if (sig !== 0) {
    const w = getWords(t, sig, 2);
    if (typeof w === "number") return w;
    maskVa = w[0] >>> 0;
    const m = setTempMask(t, maskVa, w[1]);
    if (m < 0) return m;
  }
  return restoreTempMask(t, maskVa, doSelect(k, t, n, inp, outp, exp, cycles));
}

export const sysPselect6 = (k: Kernel, t: Task, a: number, b: number, c: number, d: number, e: number, f: number): number =>
  pselect(k, t, a, b, c, d, e, f, false);
export const sysPselect6Time64 = (k: Kernel, t: Task, a: number, b: number, c: number, d: number, e: number, f: number): number =>
  pselect(k, t, a, b, c, d, e, f, true);
