// Identity, limits and system information: the uid/gid calls (16- and 32-bit),
// supplementary groups, uname/sethostname, getrusage, sysinfo, the rlimit
// calls (old getrlimit, ugetrlimit, setrlimit, prlimit64; RLIMIT_NOFILE is
// pushed into the FdTable), sched_yield, get/setpriority, personality,
// sched_getaffinity and getrandom.

import type { Kernel } from "../kernel.ts";
import { Rlimit, TaskState, mmLimitsOf, type Task } from "../proc/task.ts";
import { Errno } from "../errno.ts";
import { NR_OPEN_MAX } from "../fs/fdtable.ts";
import { RW_CHUNK } from "../fs/readwrite.ts";
import { CPU_HZ } from "./time-clock.ts";
import { getBytes, getWords, putBytes, putWords, latin1 } from "./fs-user.ts";
import { setTaskGroups, taskGroups } from "./caller.ts";
import { vfsOf } from "../fs-boot.ts";
import { define, type Syscalls } from "./table.ts";

/**
 * uname fields. machine is "i686", not the emulated CPU's "i486": scripts and
 * build tools that look at `uname -m` commonly accept i686 as "32-bit x86" and
 * reject i486; the userland here is built with -march=i486 and never asks.
 */
export const UTS_SYSNAME = "Linux";
export const UTS_RELEASE = "5.10.0-vmalab";
export const UTS_VERSION = "#1 SMP PREEMPT vmalab";
export const UTS_MACHINE = "i686";
const UTS_LEN = 65;

const hostnames = new WeakMap<Kernel, { node: string; domain: string }>();
function utsOf(k: Kernel): { node: string; domain: string } {
  let u = hostnames.get(k);
  if (u === undefined) {
    u = { node: "vmalab", domain: "(none)" };
    hostnames.set(k, u);
  }
  return u;
}

/** struct new_utsname: six NUL-padded 65-byte fields (390 bytes). */
export function encodeUtsname(k: Kernel): Uint8Array {
  const out = new Uint8Array(UTS_LEN * 6);
  const u = utsOf(k);
  [UTS_SYSNAME, u.node, UTS_RELEASE, UTS_VERSION, UTS_MACHINE, u.domain].forEach((s, i) => out.set(latin1(s.slice(0, UTS_LEN - 1)), i * UTS_LEN));
  return out;
}

function setUtsField(k: Kernel, t: Task, va: number, len: number, field: "node" | "domain"): number {
  if (t.euid !== 0) return -Errno.EPERM;
  if (len < 0 || len > UTS_LEN - 1) return -Errno.EINVAL;
  const b = getBytes(t, va, len);
  if (typeof b === "number") return b;
  let s = "";
  for (const c of b) {
    if (c === 0) break;
    s += String.fromCharCode(c);
  }
  utsOf(k)[field] = s;
  return 0;
}

// ---------------------------------------------------------------- ids

/** The 16-bit calls show ids above 65535 as the overflow id 65534 (high2lowuid). */
const low16 = (id: number): number => (id > 0xffff ? 65534 : id);
const ID_KEEP = 0xffffffff;
const idArg = (x: number, bits16: boolean): number => {
  const v = x >>> 0;
  if (bits16) return (v & 0xffff) === 0xffff ? ID_KEEP : v & 0xffff;
  return v;
};

function setuid(t: Task, uid: number): number {
  if (uid === ID_KEEP) return -Errno.EINVAL;
  if (t.euid === 0) {
    t.uid = t.euid = t.suid = uid;
    return 0;
  }
  if (uid !== t.uid && uid !== t.suid) return -Errno.EPERM;
  t.euid = uid;
  return 0;
}

function setgid(t: Task, gid: number): number {
  if (gid === ID_KEEP) return -Errno.EINVAL;
  if (t.euid === 0) {
    t.gid = t.egid = t.sgid = gid;
    return 0;
  }
  if (gid !== t.gid && gid !== t.sgid) return -Errno.EPERM;
  t.egid = gid;
  return 0;
}

/** setresuid: each id -1 = unchanged; unprivileged callers may only pick among their current ids. */
function setresuid(t: Task, r: number, e: number, s: number): number {
  const cur = [t.uid, t.euid, t.suid];
  if (t.euid !== 0) for (const x of [r, e, s]) if (x !== ID_KEEP && !cur.includes(x)) return -Errno.EPERM;
  if (r !== ID_KEEP) t.uid = r;
  if (e !== ID_KEEP) t.euid = e;
  if (s !== ID_KEEP) t.suid = s;
  return 0;
}

function setresgid(t: Task, r: number, e: number, s: number): number {
  const cur = [t.gid, t.egid, t.sgid];
  if (t.euid !== 0) for (const x of [r, e, s]) if (x !== ID_KEEP && !cur.includes(x)) return -Errno.EPERM;
  if (r !== ID_KEEP) t.gid = r;
  if (e !== ID_KEEP) t.egid = e;
  if (s !== ID_KEEP) t.sgid = s;
  return 0;
}

/** setreuid: r and e (-1 = unchanged); the saved id follows Linux's rule. */
function setreuid(t: Task, r: number, e: number): number {
  const oldUid = t.uid;
  if (t.euid !== 0) {
    if (r !== ID_KEEP && r !== t.uid && r !== t.euid) return -Errno.EPERM;
    if (e !== ID_KEEP && e !== t.uid && e !== t.euid && e !== t.suid) return -Errno.EPERM;
  }
  if (r !== ID_KEEP) t.uid = r;
  if (e !== ID_KEEP) t.euid = e;
  if (r !== ID_KEEP || (e !== ID_KEEP && e !== oldUid)) t.suid = t.euid;
  return 0;
}

function setregid(t: Task, r: number, e: number): number {
  const oldGid = t.gid;
  if (t.euid !== 0) {
    if (r !== ID_KEEP && r !== t.gid && r !== t.egid) return -Errno.EPERM;
    if (e !== ID_KEEP && e !== t.gid && e !== t.egid && e !== t.sgid) return -Errno.EPERM;
  }
  if (r !== ID_KEEP) t.gid = r;
  if (e !== ID_KEEP) t.egid = e;
  if (r !== ID_KEEP || (e !== ID_KEEP && e !== oldGid)) t.sgid = t.egid;
  return 0;
}

function getres(t: Task, ids: number[], va: number[], bits16: boolean): number {
  for (let i = 0; i < 3; i++) {
    const id = bits16 ? low16(ids[i]) : ids[i];
    const c = bits16 ? putBytes(t, va[i], Uint8Array.of(id & 0xff, id >>> 8)) : putWords(t, va[i], [id]);
    if (c < 0) return c;
  }
  return 0;
}

const NGROUPS_MAX = 65536;

function getgroups(t: Task, size: number, va: number, bits16: boolean): number {
  const g = taskGroups(t);
  if (size < 0) return -Errno.EINVAL;
  if (size === 0) return g.length;
  if (size < g.length) return -Errno.EINVAL;
  if (bits16) {
    const b = new Uint8Array(g.length * 2);
    g.forEach((x, i) => {
      const v = low16(x);
      b[2 * i] = v & 0xff;
      b[2 * i + 1] = v >>> 8;
    });
    const c = putBytes(t, va, b);
    return c < 0 ? c : g.length;
  }
  const c = putWords(t, va, [...g]);
  return c < 0 ? c : g.length;
}

function setgroups(t: Task, size: number, va: number, bits16: boolean): number {
  if (t.euid !== 0) return -Errno.EPERM;
  if (size < 0 || size > NGROUPS_MAX) return -Errno.EINVAL;
  const b = getBytes(t, va, size * (bits16 ? 2 : 4));
  if (typeof b === "number") return b;
  const v = new DataView(b.buffer, b.byteOffset, b.length);
  const g: number[] = [];
  for (let i = 0; i < size; i++) g.push(bits16 ? v.getUint16(2 * i, true) : v.getUint32(4 * i, true));
  g.sort((a, c) => a - c);
  setTaskGroups(t, g);
  return 0;
}

// ---------------------------------------------------------------- limits

export const RLIM_INFINITY32 = 0xffffffff;
/** The old getrlimit (76) reports infinity as 0x7fffffff (Linux sys_old_getrlimit). */
const OLD_RLIM_INFINITY = 0x7fffffff;

function lim32(v: number, max: number): number {
  return !Number.isFinite(v) || v >= max ? max : v;
}

/** Apply a new [soft, hard] for resource r of t, with Linux's checks. */
export function doSetrlimit(t: Task, r: number, soft: number, hard: number): number {
  if (r < 0 || r >= Rlimit.NLIMITS) return -Errno.EINVAL;
  if (soft > hard) return -Errno.EINVAL;
  const cur = t.rlim[r];
  if (hard > cur[1] && t.euid !== 0) return -Errno.EPERM;
  if (r === Rlimit.NOFILE && hard > NR_OPEN_MAX) return -Errno.EPERM;
  cur[0] = soft;
  cur[1] = hard;
  if (r === Rlimit.NOFILE && t.files !== null) t.files.nofile = Math.min(soft, NR_OPEN_MAX);
  if (t.mm !== null && (r === Rlimit.AS || r === Rlimit.DATA || r === Rlimit.STACK)) t.mm.limits = mmLimitsOf(t.rlim);
  return 0;
}

function fromUser32(v: number): number {
  return v >>> 0 === RLIM_INFINITY32 ? Infinity : v >>> 0;
}

function fromUser64(lo: number, hi: number): number {
  if (lo >>> 0 === 0xffffffff && hi >>> 0 === 0xffffffff) return Infinity;
  const v = (hi >>> 0) * 0x1_0000_0000 + (lo >>> 0);
  return v >= Number.MAX_SAFE_INTEGER ? Infinity : v;
}

function put64(v: number): [number, number] {
  if (!Number.isFinite(v)) return [0xffffffff, 0xffffffff];
  const hi = Math.floor(v / 0x1_0000_0000);
  return [(v - hi * 0x1_0000_0000) >>> 0, hi >>> 0];
}

function sysPrlimit64(k: Kernel, t: Task, pid: number, r: number, newVa: number, oldVa: number): number {
  if (r < 0 || r >= Rlimit.NLIMITS) return -Errno.EINVAL;
  let target = t;
  if (pid !== 0) {
    const x = k.tasks.get(pid);
    if (x === undefined || x.state === TaskState.Zombie || x.state === TaskState.Dead) return -Errno.ESRCH;
    if (t.euid !== 0 && (x.uid !== t.uid || x.euid !== t.uid || x.suid !== t.uid)) return -Errno.EPERM;
    target = x;
  }
  let nv: [number, number] | null = null;
  if (newVa !== 0) {
    const w = getWords(t, newVa, 4);
    if (typeof w === "number") return w;
    nv = [fromUser64(w[0], w[1]), fromUser64(w[2], w[3])];
  }
  if (oldVa !== 0) {
    const [s, h] = target.rlim[r];
    const c = putWords(t, oldVa, [...put64(s), ...put64(h)]);
    if (c < 0) return c;
  }
  return nv === null ? 0 : doSetrlimit(target, r, nv[0], nv[1]);
}

// ---------------------------------------------------------------- usage and info

/** What struct rusage reports: CPU times in guest cycles, maxrss in kB, fault and switch counts. */
export interface Usage {
  utime: number;
  stime: number;
  maxrss: number;
  minflt: number;
  majflt: number;
  nvcsw: number;
  nivcsw: number;
}

/** struct rusage (72 bytes) as words: ru_utime, ru_stime timevals, then 14 longs (maxrss in kB, faults, switches). */
export function rusageWords(u: Usage): number[] {
  const tv = (c: number): number[] => {
    const sec = Math.floor(c / CPU_HZ);
    return [sec, Math.floor(((c - sec * CPU_HZ) * 1e6) / CPU_HZ)];
  };
  return [...tv(u.utime), ...tv(u.stime), u.maxrss, 0, 0, 0, u.minflt, u.majflt, 0, 0, 0, 0, 0, 0, u.nvcsw, u.nivcsw];
}

function sysGetrusage(k: Kernel, t: Task, who: number, va: number): number {
  if (who !== 0 && who !== -1 && who !== 1) return -Errno.EINVAL;
  const u: Usage = { utime: 0, stime: 0, maxrss: 0, minflt: 0, majflt: 0, nvcsw: 0, nivcsw: 0 };
  const tasks = who === 1 ? [t] : who === 0 ? [...k.tasks.values()].filter((x) => x.tgid === t.tgid) : [];
  for (const x of tasks) {
    u.utime += x.utime;
    u.stime += x.stime;
    u.minflt += x.minFlt;
    u.majflt += x.majFlt;
    u.nvcsw += x.nvcsw;
    u.nivcsw += x.nivcsw;
  }
  if (who === -1) {
    const leader = k.tasks.get(t.tgid) ?? t;
    u.utime = leader.cutime;
    u.stime = leader.cstime;
  }
  if (who !== -1 && t.mm !== null) u.maxrss = t.mm.hiwaterRssNow * 4;
  return putWords(t, va, rusageWords(u));
}

/** struct sysinfo (64 bytes on i386), mem_unit 4096 so page counts fit. */
function sysSysinfo(k: Kernel, t: Task, va: number): number {
  const fr = k.mmctx.frames;
  const b = new Uint8Array(64);
  const v = new DataView(b.buffer);
  v.setInt32(0, Math.floor(k.x86.cycles() / CPU_HZ), true);
  v.setUint32(16, fr.totalram, true);
  v.setUint32(20, fr.freeCount, true);
  v.setUint16(40, Math.min(0xffff, k.tasks.size), true);
  v.setUint32(52, 4096, true);
  return putBytes(t, va, b);
}

const nices = new WeakMap<Task, number>();

function sysGetpriority(k: Kernel, t: Task, which: number, who: number): number {
  const targets = priorityTargets(k, t, which, who);
  if (typeof targets === "number") return targets;
  let best = -Infinity;
  for (const x of targets) best = Math.max(best, 20 - (nices.get(x) ?? 0));
  return best;
}

function sysSetpriority(k: Kernel, t: Task, which: number, who: number, nice: number): number {
  const targets = priorityTargets(k, t, which, who);
  if (typeof targets === "number") return targets;
  const n = Math.max(-20, Math.min(19, nice | 0));
  for (const x of targets) {
    if (t.euid !== 0 && x.uid !== t.euid && x.euid !== t.euid) return -Errno.EPERM;
    if (n < (nices.get(x) ?? 0) && t.euid !== 0) return -Errno.EACCES;
    nices.set(x, n);
  }
  return 0;
}

/** PRIO_PROCESS 0, PRIO_PGRP 1, PRIO_USER 2; who 0 = the caller's. */
function priorityTargets(k: Kernel, t: Task, which: number, who: number): Task[] | number {
  const live = [...k.tasks.values()].filter((x) => x.state !== TaskState.Zombie && x.state !== TaskState.Dead);
  let out: Task[];
  if (which === 0) out = who === 0 ? [t] : live.filter((x) => x.tgid === who);
  else if (which === 1) out = live.filter((x) => x.pgid === (who === 0 ? t.pgid : who));
  else if (which === 2) out = live.filter((x) => x.uid === (who === 0 ? t.uid : who));
  else return -Errno.EINVAL;
  return out.length === 0 ? -Errno.ESRCH : out;
}

/** getrandom(buf, count, flags): bytes of the kernel's deterministic generator, in pieces. */
function sysGetrandom(k: Kernel, t: Task, buf: number, count: number, flags: number): number {
  if ((flags & ~7) !== 0) return -Errno.EINVAL;
  const n = Math.min(count >>> 0, 0x1ffffff);
  const rng = vfsOf(k).rng;
  let done = 0;
  while (done < n) {
    const piece = new Uint8Array(Math.min(n - done, RW_CHUNK));
    rng.fill(piece);
    const c = putBytes(t, buf + done, piece);
    if (c < 0) return done > 0 ? done : c;
    done += piece.length;
  }
  return done;
}

export function registerMiscSyscalls(table: Syscalls): void {
  define(table, {
    23: (_k, t, uid) => setuid(t, idArg(uid, true)),
    24: (_k, t) => low16(t.uid),
    46: (_k, t, gid) => setgid(t, idArg(gid, true)),
    47: (_k, t) => low16(t.gid),
    49: (_k, t) => low16(t.euid),
    50: (_k, t) => low16(t.egid),
    70: (_k, t, r, e) => setreuid(t, idArg(r, true), idArg(e, true)),
    71: (_k, t, r, e) => setregid(t, idArg(r, true), idArg(e, true)),
    74: (k, t, va, len) => setUtsField(k, t, va, len, "node"),
    75: (_k, t, r, va) => {
      const w = getWords(t, va, 2);
      if (typeof w === "number") return w;
      return doSetrlimit(t, r, fromUser32(w[0]), fromUser32(w[1]));
    },
    76: (_k, t, r, va) => {
      if (r < 0 || r >= Rlimit.NLIMITS) return -Errno.EINVAL;
      const [s, h] = t.rlim[r];
      return putWords(t, va, [lim32(s, OLD_RLIM_INFINITY), lim32(h, OLD_RLIM_INFINITY)]);
    },
    77: (k, t, who, va) => sysGetrusage(k, t, who, va),
    80: (_k, t, size, va) => getgroups(t, size, va, true),
    81: (_k, t, size, va) => setgroups(t, size, va, true),
    96: (k, t, which, who) => sysGetpriority(k, t, which, who),
    97: (k, t, which, who, nice) => sysSetpriority(k, t, which, who, nice),
    116: (k, t, va) => sysSysinfo(k, t, va),
    121: (k, t, va, len) => setUtsField(k, t, va, len, "domain"),
    122: (k, t, va) => putBytes(t, va, encodeUtsname(k)),
    136: () => 0,
    158: (k) => {
      k.needResched = true;
      return 0;
    },
    164: (_k, t, r, e, s) => setresuid(t, idArg(r, true), idArg(e, true), idArg(s, true)),
    165: (_k, t, r, e, s) => getres(t, [t.uid, t.euid, t.suid], [r, e, s], true),
    170: (_k, t, r, e, s) => setresgid(t, idArg(r, true), idArg(e, true), idArg(s, true)),
    171: (_k, t, r, e, s) => getres(t, [t.gid, t.egid, t.sgid], [r, e, s], true),
    191: (_k, t, r, va) => {
      if (r < 0 || r >= Rlimit.NLIMITS) return -Errno.EINVAL;
      const [s, h] = t.rlim[r];
      return putWords(t, va, [lim32(s, RLIM_INFINITY32), lim32(h, RLIM_INFINITY32)]);
    },
    199: (_k, t) => t.uid,
    200: (_k, t) => t.gid,
    201: (_k, t) => t.euid,
    202: (_k, t) => t.egid,
    203: (_k, t, r, e) => setreuid(t, idArg(r, false), idArg(e, false)),
    204: (_k, t, r, e) => setregid(t, idArg(r, false), idArg(e, false)),
    205: (_k, t, size, va) => getgroups(t, size, va, false),
    206: (_k, t, size, va) => setgroups(t, size, va, false),
    208: (_k, t, r, e, s) => setresuid(t, idArg(r, false), idArg(e, false), idArg(s, false)),
    209: (_k, t, r, e, s) => getres(t, [t.uid, t.euid, t.suid], [r, e, s], false),
    210: (_k, t, r, e, s) => setresgid(t, idArg(r, false), idArg(e, false), idArg(s, false)),
    211: (_k, t, r, e, s) => getres(t, [t.gid, t.egid, t.sgid], [r, e, s], false),
    213: (_k, t, uid) => setuid(t, idArg(uid, false)),
    214: (_k, t, gid) => setgid(t, idArg(gid, false)),
    242: (_k, t, _pid, len, va) => {
      // One CPU: the mask is the single bit 0, in a 4-byte cpumask.
      if ((len >>> 0) < 4) return -Errno.EINVAL;
      const c = putWords(t, va, [1]);
      return c < 0 ? c : 4;
    },
    340: (k, t, pid, r, nv, ov) => sysPrlimit64(k, t, pid, r, nv, ov),
    355: (k, t, buf, count, flags) => sysGetrandom(k, t, buf, count, flags),
  });
}

