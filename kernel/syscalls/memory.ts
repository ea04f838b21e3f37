// Memory system calls: brk, mmap (old struct form) and mmap2, munmap,
// mprotect, madvise, msync, mincore, the mlock family, mremap (not
// supported: -ENOMEM, callers fall back).

import type { Kernel } from "../kernel.ts";
import type { Task } from "../proc/task.ts";
import { define, type Syscalls } from "./table.ts";
import { NR } from "./numbers.ts";
import { Errno } from "../errno.ts";
import { MAP_ANONYMOUS, MAP_FIXED, MAP_FIXED_NOREPLACE, MAP_LOCKED, MAP_SHARED, MAP_TYPE, PROT_WRITE, doMmap, doMunmap, securityMmapAddr, sysBrk } from "../mm/mmap.ts";
import { sysMadvise, sysMprotect } from "../mm/mprotect.ts";
import { copyFromUser, copyToUser } from "../mm/uaccess.ts";
import { doMincore } from "../mm/mincore.ts";
import { doMlock, doMlockall, doMunlockall, lockedVm, type LockRights } from "../mm/mlock.ts";
import { VM_LOCKED } from "../mm/vma.ts";
import { Rlimit } from "../proc/task.ts";
import { fileBacking } from "../filemap-bridge.ts";
import { sysMsync } from "../mm/msync.ts";

/** What t may lock: its RLIMIT_MEMLOCK in pages, and CAP_IPC_LOCK (root). */
function lockRights(t: Task): LockRights {
  return { limitPages: Math.floor(t.rlim[Rlimit.MEMLOCK][0] / 4096), ipcLock: t.euid === 0 };
}

function mmapPgoff(k: Kernel, t: Task, addr: number, len: number, prot: number, flags: number, fd: number, pgoff: number): number {
  const mm = t.mm;
  if (!mm) return -Errno.EINVAL;
  len >>>= 0;
  addr >>>= 0;
  if (len === 0) return -Errno.EINVAL;
  if (flags & MAP_LOCKED || mm.defFlags & VM_LOCKED) {
    // Linux mlock_future_check: a locked mapping must fit RLIMIT_MEMLOCK.
    const rights = lockRights(t);
    if (!rights.ipcLock && lockedVm(mm) + Math.ceil(len / 4096) > rights.limitPages) return -Errno.EAGAIN;
  }
  if (flags & (MAP_FIXED | MAP_FIXED_NOREPLACE)) {
    const err = securityMmapAddr(addr, t.euid === 0);
    if (err < 0) return err;
  }
  if (flags & MAP_ANONYMOUS) return doMmap(mm, null, addr, len, prot, flags, 0);
  const file = t.files?.get(fd) ?? null;
  if (!file) return -Errno.EBADF;
  if (!file.readable) return -Errno.EACCES;
  if ((flags & MAP_TYPE) === MAP_SHARED && (prot & PROT_WRITE) && !file.writable) return -Errno.EACCES;
  const devMmap = file.fop.mmap;
  if (devMmap) {
    const caller = t.fsCaller;
    return doMmap(mm, null, addr, len, prot, flags, pgoff, file.writable, (vma) => devMmap(file, vma, caller));
  }
  const backing = fileBacking(k.mmctx, file);
  if (typeof backing === "number") return backing;
  return doMmap(mm, backing, addr, len, prot, flags, pgoff, file.writable);
}

/** Old mmap (90): one pointer to {addr, len, prot, flags, fd, offset}; offset in bytes, page aligned. */
function sysOldMmap(k: Kernel, t: Task, argp: number): number {
  const raw = copyFromUser(t.mm!, argp, 24);
  if (typeof raw === "number") return raw;
  const v = new DataView(raw.buffer, raw.byteOffset, 24);
  const off = v.getUint32(20, true);
  if (off & 0xfff) return -Errno.EINVAL;
  return mmapPgoff(k, t, v.getUint32(0, true), v.getUint32(4, true), v.getInt32(8, true), v.getInt32(12, true), v.getInt32(16, true), off >>> 12);
}

/** mlock2's flag: lock pages as they are faulted in, not now. */
const MLOCK_ONFAULT = 1;

/** Registers the memory system calls. */
export function defineMemoryCalls(table: Syscalls): void {
  define(table, {
    [NR.brk]: (_k, t, brk) => sysBrk(t.mm!, brk >>> 0),
    [NR.mmap]: (k, t, argp) => sysOldMmap(k, t, argp),
    [NR.mmap2]: (k, t, addr, len, prot, flags, fd, pgoff) => mmapPgoff(k, t, addr, len, prot, flags, fd, pgoff >>> 0),
    [NR.munmap]: (_k, t, addr, len) => doMunmap(t.mm!, addr >>> 0, len >>> 0),
    [NR.mprotect]: (_k, t, addr, len, prot) => sysMprotect(t.mm!, addr >>> 0, len >>> 0, prot),
    [NR.madvise]: (_k, t, addr, len, advice) => sysMadvise(t.mm!, addr >>> 0, len >>> 0, advice),
    [NR.msync]: (_k, t, addr, len, flags) => sysMsync(t.mm!, addr, len, flags),
    [NR.mremap]: () => -Errno.ENOMEM,
    [NR.mincore]: (_k, t, addr, len, vecVa) => {
      const vec = doMincore(t.mm!, addr, len);
      if (typeof vec === "number") return vec;
      return copyToUser(t.mm!, vecVa >>> 0, vec) < 0 ? -Errno.EFAULT : 0;
    },
    [NR.mlock]: (_k, t, addr, len) => doMlock(t.mm!, addr, len >>> 0, true, lockRights(t)),
    [NR.munlock]: (_k, t, addr, len) => doMlock(t.mm!, addr, len >>> 0, false, lockRights(t)),
    [NR.mlockall]: (_k, t, flags) => doMlockall(t.mm!, flags, lockRights(t)),
    [NR.munlockall]: (_k, t) => doMunlockall(t.mm!),
    [NR.mlock2]: (_k, t, addr, len, flags) => {
      if (flags & ~MLOCK_ONFAULT) return -Errno.EINVAL;
      return doMlock(t.mm!, addr, len >>> 0, true, lockRights(t), flags === MLOCK_ONFAULT);
    },
  });
}
