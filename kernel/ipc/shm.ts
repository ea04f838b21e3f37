// System V shared memory: shmget/shmat/shmdt/shmctl, reached through the i386
// ipc multiplexer (117) and the direct calls musl uses (395 shmget, 396
// shmctl, 397 shmat, 398 shmdt). A segment is a nameless shmem object: its
// page cache is its only storage, attaching maps it MAP_SHARED, and it lives
// until IPC_RMID and the last detach. madvise(MADV_REMOVE) punches holes in it.

import type { Kernel } from "../kernel.ts";
import type { Task } from "../proc/task.ts";
import { Errno } from "../errno.ts";
import { define, type Syscalls } from "../syscalls/table.ts";
import { NR } from "../syscalls/numbers.ts";
import { getBytes, putBytes, putWords } from "../syscalls/fs-user.ts";
import { vfsOf } from "../vfs.ts";
import type { MmContext } from "../mm/context.ts";
import { AddressSpace, type FileBacking } from "../mm/filemap.ts";
import { doMmap, doMunmap, securityMmapAddr, MAP_FIXED, MAP_SHARED, PROT_EXEC, PROT_READ, PROT_WRITE } from "../mm/mmap.ts";

export const IPC_PRIVATE = 0, IPC_CREAT = 0o1000, IPC_EXCL = 0o2000, IPC_NOWAIT = 0o4000;
export const IPC_RMID = 0, IPC_SET = 1, IPC_STAT = 2, IPC_INFO = 3, IPC_64 = 0x100;
export const SHM_RDONLY = 0o10000, SHM_RND = 0o20000, SHM_REMAP = 0o40000, SHM_EXEC = 0o100000;
export const SHM_STAT = 13, SHM_INFO = 14;
const SHMLBA = 4096;
const SEQ_MULTIPLIER = 32768;
const SHMMNI = 4096;
// ipc(2) call numbers.
const SHMAT = 21, SHMDT = 22, SHMGET = 23, SHMCTL = 24;

/** One segment: a shmem object that survives detaching until removed. */
export class ShmSegment implements FileBacking {
  readonly mapping: AddressSpace;
  /** Areas linked to the segment (attachments, including inherited ones). */
  private refs = 0;
  removed = false;
  mode: number;
  uid: number; gid: number;
  readonly cuid: number; readonly cgid: number;
  readonly cpid: number;
  lpid = 0;
  atime = 0; dtime = 0; ctime: number;

  constructor(ctx: MmContext, readonly id: number, public key: number, readonly size: number, mode: number, creator: Task,
    now: number, private readonly onDestroy: (seg: ShmSegment) => void) {
    this.mapping = new AddressSpace(ctx);
    this.mapping.shmemPages = () => this.mapping.pages.size;
    this.mode = mode & 0o777;
    this.uid = this.cuid = creator.euid;
    this.gid = this.cgid = creator.egid;
    this.cpid = creator.tgid;
    this.ctime = now;
  }
  get path(): string {
    return `/SYSV${(this.key >>> 0).toString(16).padStart(8, "0")}${this.removed ? " (deleted)" : ""}`;
  }
  get nattch(): number {
    return this.refs;
  }
  readPage(): void {
    // New frames arrive zeroed: a segment starts as zeros.
  }
  punchHole(first: number, last: number): number {
    this.mapping.truncatePages(first, last);
    return 0;
  }
  get(): void {
    this.refs++;
  }
  put(): void {
    if (--this.refs === 0 && this.removed) this.onDestroy(this);
  }
}

/** The segments of one kernel (Kernel.shmIds; Linux's shm_ids of the ipc namespace). */
export class ShmIds {
  readonly byId = new Map<number, ShmSegment>();
  private readonly byKey = new Map<number, ShmSegment>();
  private seq = 0;
  constructor(private readonly k: Kernel) {}

  private now(): number {
    return vfsOf(this.k).clock.sec();
  }

  get(t: Task, key: number, size: number, flag: number): number {
    size >>>= 0;
    if (key !== IPC_PRIVATE) {
      const seg = this.byKey.get(key);
      if (seg) {
        if ((flag & IPC_CREAT) && (flag & IPC_EXCL)) return -Errno.EEXIST;
        if (size > seg.size) return -Errno.EINVAL;
        if (!permitted(t, seg, flag & 0o777)) return -Errno.EACCES;
        return seg.id;
      }
      if (!(flag & IPC_CREAT)) return -Errno.ENOENT;
    }
    if (size < 1) return -Errno.EINVAL;
    const pages = Math.ceil(size / 4096);
    const ctx = this.k.mmctx;
    let used = 0;
    for (const s of this.byId.values()) used += Math.ceil(s.size / 4096);
    if (used + pages > ctx.frames.totalram) return -Errno.ENOSPC;
    let idx = 0;
    const taken = new Set([...this.byId.keys()].map((id) => id % SEQ_MULTIPLIER));
    while (taken.has(idx)) idx++;
    if (idx >= SHMMNI) return -Errno.ENOSPC;
    const id = this.seq++ % 32 * SEQ_MULTIPLIER + idx;
    const seg = new ShmSegment(ctx, id, key, size, flag, t, this.now(), (s) => this.destroy(s));
    this.byId.set(id, seg);
    if (key !== IPC_PRIVATE) this.byKey.set(key, seg);
    return id;
  }

  destroy(seg: ShmSegment): void {
    this.byId.delete(seg.id);
    if (this.byKey.get(seg.key) === seg) this.byKey.delete(seg.key);
    seg.mapping.release();
  }

  at(t: Task, id: number, addr: number, flag: number): number {
    const seg = this.byId.get(id);
    if (!seg || t.mm === null) return -Errno.EINVAL;
    addr >>>= 0;
    if (addr & (SHMLBA - 1)) {
      if (!(flag & SHM_RND)) return -Errno.EINVAL;
      addr -= addr & (SHMLBA - 1);
    }
    const rdonly = (flag & SHM_RDONLY) !== 0;
    const need = rdonly ? 0o4 : 0o6;
    if (!permitted(t, seg, need << 6 | need << 3 | need)) return -Errno.EACCES;
    const prot = PROT_READ | (rdonly ? 0 : PROT_WRITE) | (flag & SHM_EXEC ? PROT_EXEC : 0);
    let mflags = MAP_SHARED;
    if (addr) {
      const err = securityMmapAddr(addr, t.euid === 0);
      if (err < 0) return err;
      if (!(flag & SHM_REMAP) && t.mm.findVmaIntersection(addr, addr + Math.ceil(seg.size / 4096) * 4096)) return -Errno.EINVAL;
      mflags |= MAP_FIXED;
    }
    const r = doMmap(t.mm, seg, addr, seg.size, prot, mflags, 0, !rdonly);
    if (r < 0 && r > -4096) return r;
    seg.atime = this.now();
    seg.lpid = t.tgid;
    return r;
  }

  dt(t: Task, addr: number): number {
    const mm = t.mm;
    addr >>>= 0;
    if (mm === null || addr & (SHMLBA - 1)) return -Errno.EINVAL;
    // Every area of the segment whose offset matches an attach at addr (Linux sys_shmdt).
    let found = false;
    for (const v of [...mm.vmas]) {
      if (!(v.vmFile instanceof ShmSegment) || v.vmStart < addr) continue;
      if ((v.vmStart - addr) / 4096 !== v.vmPgoff) continue;
      if (v.vmStart - addr >= v.vmFile.size) continue;
      const seg = v.vmFile;
      seg.dtime = this.now();
      seg.lpid = t.tgid;
      doMunmap(mm, v.vmStart, v.vmEnd - v.vmStart);
      found = true;
    }
    return found ? 0 : -Errno.EINVAL;
  }

  ctl(t: Task, id: number, cmd: number, buf: number): number {
    cmd &= ~IPC_64;
    if (cmd === IPC_INFO || cmd === SHM_INFO) return -Errno.EINVAL;
    const seg = cmd === SHM_STAT ? [...this.byId.values()].find((s) => s.id % SEQ_MULTIPLIER === id) : this.byId.get(id);
    if (!seg) return -Errno.EINVAL;
    switch (cmd) {
      case IPC_STAT:
      case SHM_STAT: {
        if (!permitted(t, seg, 0o444)) return -Errno.EACCES;
        const w = [
          seg.key, seg.uid, seg.gid, seg.cuid, seg.cgid, seg.mode | (seg.removed ? 0o1000 : 0), 0, 0, 0,
          seg.size, seg.atime, 0, seg.dtime, 0, seg.ctime, 0, seg.cpid, seg.lpid, seg.nattch, 0, 0,
        ];
        const r = putWords(t, buf, w);
        if (r < 0) return r;
        return cmd === SHM_STAT ? seg.id : 0;
      }
      case IPC_SET: {
        if (t.euid !== 0 && t.euid !== seg.uid && t.euid !== seg.cuid) return -Errno.EPERM;
        const b = getBytes(t, buf, 24);
        if (typeof b === "number") return b;
        const v = new DataView(b.buffer, b.byteOffset, 24);
        seg.uid = v.getUint32(4, true);
        seg.gid = v.getUint32(8, true);
        seg.mode = (seg.mode & ~0o777) | (v.getUint32(20, true) & 0o777);
        seg.ctime = this.now();
        return 0;
      }
      case IPC_RMID:
        if (t.euid !== 0 && t.euid !== seg.uid && t.euid !== seg.cuid) return -Errno.EPERM;
        if (!seg.removed) {
          seg.removed = true;
          if (this.byKey.get(seg.key) === seg) this.byKey.delete(seg.key);
          seg.key = IPC_PRIVATE;
          if (seg.nattch === 0) this.destroy(seg);
        }
        return 0;
      default:
        return -Errno.EINVAL;
    }
  }
}

function permitted(t: Task, seg: ShmSegment, want: number): boolean {
  if (t.euid === 0) return true;
  const bits = t.euid === seg.uid || t.euid === seg.cuid ? (seg.mode >> 6) & 7
    : t.egid === seg.gid || t.egid === seg.cgid ? (seg.mode >> 3) & 7 : seg.mode & 7;
  const w = (want >> 6) & 7 || (want >> 3) & 7 || want & 7;
  return (bits & w) === w;
}

function idsOf(k: Kernel): ShmIds {
  return k.shmIds;
}

/** The live segments of k (for /proc/meminfo, tests and the monitor). */
export function shmSegments(k: Kernel): readonly ShmSegment[] {
  return [...idsOf(k).byId.values()];
}

/** The i386 ipc(2) multiplexer, shared memory part; other IPC calls give -ENOSYS. */
function sysIpc(k: Kernel, t: Task, call: number, first: number, second: number, third: number, ptr: number): number {
  const ids = idsOf(k);
  switch (call & 0xffff) {
    case SHMAT: {
      const r = ids.at(t, first, ptr, second);
      if (r < 0 && r > -4096) return r;
      const w = putBytes(t, third, new Uint8Array(new Uint32Array([r >>> 0]).buffer));
      return w < 0 ? w : 0;
    }
    case SHMDT:
      return ids.dt(t, ptr);
    case SHMGET:
      return ids.get(t, first, second, third);
    case SHMCTL:
      return ids.ctl(t, first, second, ptr);
    default:
      return -Errno.ENOSYS;
  }
}

/** Registers ipc (117) and shmget/shmctl/shmat/shmdt (395-398). */
export function defineShmCalls(table: Syscalls): void {
  define(table, {
    [NR.ipc]: (k, t, call, first, second, third, ptr) => sysIpc(k, t, call, first, second, third, ptr),
    [NR.shmget]: (k, t, key, size, flag) => idsOf(k).get(t, key, size, flag),
    [NR.shmctl]: (k, t, id, cmd, buf) => idsOf(k).ctl(t, id, cmd, buf),
    [NR.shmat]: (k, t, id, addr, flag) => idsOf(k).at(t, id, addr, flag),
    [NR.shmdt]: (k, t, addr) => idsOf(k).dt(t, addr),
  });
}
