// Time system calls: time, gettimeofday, settimeofday, clock_gettime/getres/
// settime (and their time64 twins 403/404/406), nanosleep and clock_nanosleep
// (407 too), times, getitimer/setitimer (ITIMER_REAL sends SIGALRM), alarm.
//
// A sleep is a WOULD_BLOCK with a timer at the deadline (t.sleepUntil, in
// guest cycles). The retry after a wakeup finishes when the deadline has
// passed, reports -EINTR and the time left when a signal is deliverable, and
// sleeps again otherwise (a spurious wakeup).

import { named } from "../named.ts";
import type { Kernel } from "../kernel.ts";
import type { Itimer, Nanosleep, Task } from "../proc/task.ts";
import { Errno } from "../errno.ts";
import { WOULD_BLOCK } from "../wait.ts";
import { Sig } from "../signal/signals.ts";
import { HZ } from "../drivers/i8254.ts";
import { CPU_HZ, NSEC_PER_SEC, monotonic, realtime, setRealtime } from "./time-clock.ts";
import { getTimespec, timespecToCycles } from "./fs-poll.ts";
import { getWords, putWords, split64 } from "./fs-user.ts";
import { define, type Syscalls } from "./table.ts";
import { NR } from "./numbers.ts";

export const CLOCK_REALTIME = 0, CLOCK_MONOTONIC = 1, CLOCK_PROCESS_CPUTIME_ID = 2, CLOCK_THREAD_CPUTIME_ID = 3;
export const CLOCK_MONOTONIC_RAW = 4, CLOCK_REALTIME_COARSE = 5, CLOCK_MONOTONIC_COARSE = 6, CLOCK_BOOTTIME = 7;
export const TIMER_ABSTIME = 1;
/** Clock resolution reported by clock_getres: 1 ns for the cycle clocks, a jiffy for the coarse ones. */
const TICK_NS = NSEC_PER_SEC / HZ;

function cyclesToTs(c: number): [number, number] {
  const sec = Math.floor(c / CPU_HZ);
  return [sec, Math.floor(((c - sec * CPU_HZ) * NSEC_PER_SEC) / CPU_HZ)];
}

/** The value of clock clk as [sec, nsec], or -EINVAL for an unknown clock. */
export function clockRead(k: Kernel, t: Task, clk: number): [number, number] | number {
  switch (clk) {
    case CLOCK_REALTIME:
    case CLOCK_REALTIME_COARSE:
    case 11: // CLOCK_TAI
      return realtime(k);
    case CLOCK_MONOTONIC:
    case CLOCK_MONOTONIC_RAW:
    case CLOCK_MONOTONIC_COARSE:
    case CLOCK_BOOTTIME:
      return monotonic(k);
    case CLOCK_PROCESS_CPUTIME_ID:
    case CLOCK_THREAD_CPUTIME_ID:
      return cyclesToTs(t.utime + t.stime);
    default:
      return -Errno.EINVAL;
  }
}

/** Store a timespec: 8 bytes (32-bit tv_sec) or 16 bytes (time64). */
function putTimespec(t: Task, va: number, sec: number, nsec: number, time64: boolean): number {
  if (time64) {
    const [lo, hi] = split64(sec);
    return putWords(t, va, [lo, hi, nsec, 0]);
  }
  if (sec > 0x7fffffff) return -Errno.EOVERFLOW;
  return putWords(t, va, [sec, nsec]);
}

function clockGettime(k: Kernel, t: Task, clk: number, va: number, time64: boolean): number {
  const v = clockRead(k, t, clk);
  if (typeof v === "number") return v;
  return putTimespec(t, va, v[0], v[1], time64);
}

function clockGetres(_k: Kernel, t: Task, clk: number, va: number, time64: boolean): number {
  if (clk < 0 || clk > 11 || clk === 10) return -Errno.EINVAL;
  if (va === 0) return 0;
  const coarse = clk === CLOCK_REALTIME_COARSE || clk === CLOCK_MONOTONIC_COARSE;
  return putTimespec(t, va, 0, coarse ? TICK_NS : 1, time64);
}

function clockSettime(k: Kernel, t: Task, clk: number, va: number, time64: boolean): number {
  if (clk !== CLOCK_REALTIME) return -Errno.EINVAL;
  const ts = getTimespec(t, va, time64);
  if (typeof ts === "number") return ts;
  if (t.euid !== 0) return -Errno.EPERM;
  setRealtime(k, ts[0], ts[1]);
  return 0;
}

// ---------------------------------------------------------------- sleeping

function armSleepTimer(k: Kernel, t: Task, s: Nanosleep): void {
  const left = s.deadline - k.x86.cycles();
  const due = k.jiffies + Math.max(1, Math.ceil((left * HZ) / CPU_HZ));
  k.addTimer(due, sleepTimeout, { t, s });
}

/** A nanosleep's deadline came: wake the task if it still sleeps that sleep. */
const sleepTimeout = named("nanosleep.timeout", (k: Kernel, d: { t: Task; s: Nanosleep }): void => {
  if (d.t.nanosleep === d.s) k.wakeUp(d.t);
});

function endSleep(t: Task): void {
  t.nanosleep = null;
  t.sleepUntil = 0;
  t.restartFn = null;
}

/**
 * The sleep of t was interrupted by a signal: store the time left in rem (relative
 * sleeps) and forget the sleep. Returns -EINTR. Signal delivery may call this
 * when it turns a blocked nanosleep into EINTR (t.sleepUntil != 0).
 */
function nanosleepInterrupted(k: Kernel, t: Task): number {
  const s = t.nanosleep;
  endSleep(t);
  if (s !== null && s.remVa !== 0 && !s.abs) {
    const [sec, nsec] = cyclesToTs(Math.max(0, s.deadline - k.x86.cycles()));
    putTimespec(t, s.remVa, sec, nsec, s.time64);
  }
  return -Errno.EINTR;
}

/** A signal handler interrupts the sleep (Task.restartFn): EINTR, with the time left written to rem. */
const nanosleepRestart = named("nanosleep.interrupted", nanosleepInterrupted);

function signalDeliverable(t: Task): boolean {
  return t.pending.firstNotIn(t.blocked) !== 0;
}

function doNanosleep(k: Kernel, t: Task, clk: number, flags: number, reqVa: number, remVa: number, time64: boolean): number {
  const now = k.x86.cycles();
  const s = t.nanosleep;
  if (s !== null && t.sleepUntil !== 0) {
    const same = s.reqVa === reqVa && s.remVa === remVa && s.clk === clk;
    if (t.syscallRestart && same) {
      if (now >= s.deadline) {
        endSleep(t);
        return 0;
      }
      if (signalDeliverable(t)) return nanosleepInterrupted(k, t);
      armSleepTimer(k, t, s);
      return WOULD_BLOCK;
    }
    // Restarted after a signal handler ran (SA_RESTART): Linux reports EINTR for sleeps.
    if (same && now < s.deadline) return nanosleepInterrupted(k, t);
    endSleep(t);
  }
  if (clk !== CLOCK_REALTIME && clk !== CLOCK_MONOTONIC && clk !== CLOCK_BOOTTIME) {
    return clk === CLOCK_THREAD_CPUTIME_ID ? -Errno.EINVAL : clk === CLOCK_PROCESS_CPUTIME_ID ? -Errno.EOPNOTSUPP : -Errno.EINVAL;
  }
  const req = getTimespec(t, reqVa, time64);
  if (typeof req === "number") return req;
  const abs = (flags & TIMER_ABSTIME) !== 0;
  let deadline: number;
  if (abs) {
    const cur = clockRead(k, t, clk) as [number, number];
    const deltaNs = (req[0] - cur[0]) * NSEC_PER_SEC + (req[1] - cur[1]);
    deadline = now + Math.ceil((deltaNs * CPU_HZ) / NSEC_PER_SEC);
  } else {
    deadline = now + timespecToCycles(req[0], req[1]);
  }
  if (deadline <= now) return 0;
  const ns: Nanosleep = { deadline, reqVa, remVa, clk, abs, time64 };
  t.nanosleep = ns;
  t.sleepUntil = deadline;
  t.restartFn = nanosleepRestart;
  armSleepTimer(k, t, ns);
  return WOULD_BLOCK;
}

// ---------------------------------------------------------------- interval timers

const ITIMER_REAL = 0, ITIMER_VIRTUAL = 1, ITIMER_PROF = 2;

function leaderOf(k: Kernel, t: Task): Task {
  return k.tasks.get(t.tgid) ?? t;
}

/** The interval timers of t's process (its thread-group leader's). */
function itimersOf(k: Kernel, t: Task): Itimer[] {
  return leaderOf(k, t).itimers;
}

function armReal(k: Kernel, t: Task, it: Itimer): void {
  const gen = it.gen;
  const left = it.value - k.x86.cycles();
  const due = k.jiffies + Math.max(1, Math.ceil((left * HZ) / CPU_HZ));
  k.addTimer(due, itimerRealFire, { t, it, gen });
}

/** ITIMER_REAL's timer: SIGALRM to the process when the value is reached, then re-arm an interval timer. */
const itimerRealFire = named("itimer.real", (k: Kernel, d: { t: Task; it: Itimer; gen: number }): void => {
  const { t, it } = d;
  if (it.gen !== d.gen || it.value === 0) return;
  const now = k.x86.cycles();
  if (now < it.value) {
    armReal(k, t, it);
    return;
  }
  const lead = leaderOf(k, t);
  k.sendSignal?.(lead, Sig.SIGALRM);
  if (it.interval > 0) {
    it.value += Math.max(it.interval, Math.ceil((now - it.value) / it.interval) * it.interval);
    armReal(k, t, it);
  } else {
    it.value = 0;
  }
});

/** [interval sec, usec, value sec, usec] of a timer now. */
function itimerWords(k: Kernel, it: Itimer): number[] {
  const left = it.value === 0 ? 0 : Math.max(1, it.value - k.x86.cycles());
  const tv = (c: number): number[] => {
    const sec = Math.floor(c / CPU_HZ);
    return [sec, Math.ceil(((c - sec * CPU_HZ) * 1e6) / CPU_HZ)];
  };
  return [...tv(it.interval), ...tv(left)];
}

function setItimer(k: Kernel, t: Task, which: number, words: number[] | null, oldVa: number): number {
  if (which !== ITIMER_REAL && which !== ITIMER_VIRTUAL && which !== ITIMER_PROF) return -Errno.EINVAL;
  const it = itimersOf(k, t)[which];
  if (oldVa !== 0) {
    const c = putWords(t, oldVa, itimerWords(k, it));
    if (c < 0) return c;
  }
  if (words === null) return 0;
  const [isec, iusec, vsec, vusec] = words;
  if (isec < 0 || vsec < 0 || iusec < 0 || iusec >= 1e6 || vusec < 0 || vusec >= 1e6) return -Errno.EINVAL;
  it.gen++;
  it.interval = timespecToCycles(isec, iusec * 1000);
  const v = timespecToCycles(vsec, vusec * 1000);
  it.value = v === 0 ? 0 : k.x86.cycles() + v;
  // Only ITIMER_REAL runs; the CPU-time timers keep their settings but never fire.
  if (which === ITIMER_REAL && it.value !== 0) armReal(k, t, it);
  return 0;
}

function sysSetitimer(k: Kernel, t: Task, which: number, newVa: number, oldVa: number): number {
  let words: number[] | null = null;
  if (newVa !== 0) {
    const w = getWords(t, newVa, 4);
    if (typeof w === "number") return w;
    words = Array.from(w);
  }
  return setItimer(k, t, which, words ?? [0, 0, 0, 0], oldVa);
}

function sysGetitimer(k: Kernel, t: Task, which: number, va: number): number {
  if (which !== ITIMER_REAL && which !== ITIMER_VIRTUAL && which !== ITIMER_PROF) return -Errno.EINVAL;
  return putWords(t, va, itimerWords(k, itimersOf(k, t)[which]));
}

function sysAlarm(k: Kernel, t: Task, seconds: number): number {
  const it = itimersOf(k, t)[ITIMER_REAL];
  const w = itimerWords(k, it);
  let old = w[2];
  if (w[3] >= 500000 || (old === 0 && w[3] > 0)) old++;
  setItimer(k, t, ITIMER_REAL, [0, 0, seconds >>> 0, 0], 0);
  return old;
}

// ---------------------------------------------------------------- the table

function sysTimes(k: Kernel, t: Task, buf: number): number {
  const ticks = (c: number): number => Math.floor((c * 100) / CPU_HZ) >>> 0;
  if (buf !== 0) {
    const leader = k.tasks.get(t.tgid) ?? t;
    const c = putWords(t, buf, [ticks(t.utime), ticks(t.stime), ticks(leader.cutime), ticks(leader.cstime)]);
    if (c < 0) return c;
  }
  return k.jiffies | 0;
}

export function registerTimeSyscalls(table: Syscalls): void {
  define(table, {
    [NR.time]: (k, t, tloc) => {
      const sec = realtime(k)[0];
      if (tloc !== 0) {
        const c = putWords(t, tloc, [sec]);
        if (c < 0) return c;
      }
      return sec | 0;
    },
    [NR.alarm]: (k, t, seconds) => sysAlarm(k, t, seconds),
    [NR.times]: (k, t, buf) => sysTimes(k, t, buf),
    [NR.gettimeofday]: (k, t, tv, tz) => {
      if (tv !== 0) {
        const [sec, nsec] = realtime(k);
        const c = putWords(t, tv, [sec, Math.floor(nsec / 1000)]);
        if (c < 0) return c;
      }
      if (tz !== 0) {
        const c = putWords(t, tz, [0, 0]);
        if (c < 0) return c;
      }
      return 0;
    },
    [NR.settimeofday]: (k, t, tv) => {
      if (t.euid !== 0) return -Errno.EPERM;
      if (tv === 0) return 0;
      const w = getWords(t, tv, 2);
      if (typeof w === "number") return w;
      if (w[0] < 0 || w[1] < 0 || w[1] >= 1e6) return -Errno.EINVAL;
      setRealtime(k, w[0], w[1] * 1000);
      return 0;
    },
    [NR.setitimer]: (k, t, which, nv, ov) => sysSetitimer(k, t, which, nv, ov),
    [NR.getitimer]: (k, t, which, va) => sysGetitimer(k, t, which, va),
    [NR.nanosleep]: (k, t, req, rem) => doNanosleep(k, t, CLOCK_MONOTONIC, 0, req, rem, false),
    [NR.clock_settime]: (k, t, clk, va) => clockSettime(k, t, clk, va, false),
    [NR.clock_gettime]: (k, t, clk, va) => clockGettime(k, t, clk, va, false),
    [NR.clock_getres]: (k, t, clk, va) => clockGetres(k, t, clk, va, false),
    [NR.clock_nanosleep]: (k, t, clk, flags, req, rem) => doNanosleep(k, t, clk, flags, req, rem, false),
    [NR.clock_gettime64]: (k, t, clk, va) => clockGettime(k, t, clk, va, true),
    [NR.clock_settime64]: (k, t, clk, va) => clockSettime(k, t, clk, va, true),
    [NR.clock_getres_time64]: (k, t, clk, va) => clockGetres(k, t, clk, va, true),
    [NR.clock_nanosleep_time64]: (k, t, clk, flags, req, rem) => doNanosleep(k, t, clk, flags, req, rem, true),
  });
}
