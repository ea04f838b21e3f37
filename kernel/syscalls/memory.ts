// Memory system calls: brk, mmap (old struct form) and mmap2, munmap,
// mprotect, madvise, msync, mremap (not supported: -ENOMEM, callers fall back).

import type { Kernel } from "../kernel.ts";
import type { Task } from "../proc/task.ts";
import { define, type Syscalls } from "./table.ts";
import { Errno } from "../errno.ts";
import { MAP_ANONYMOUS, MAP_SHARED, MAP_TYPE, PROT_WRITE, doMmap, doMunmap, sysBrk } from "../mm/mmap.ts";
import { sysMadvise, sysMprotect } from "../mm/mprotect.ts";
import { copyFromUser } from "../mm/uaccess.ts";
import { fileBacking, syncBacking } from "../filemap-bridge.ts";
import { callerOf } from "./caller.ts";

function mmapPgoff(k: Kernel, t: Task, addr: number, len: number, prot: number, flags: number, fd: number, pgoff: number): number {
  const mm = t.mm;
  if (!mm) return -Errno.EINVAL;
  len >>>= 0;
  addr >>>= 0;
  if (len === 0) return -Errno.EINVAL;
  if (flags & MAP_ANONYMOUS) return doMmap(mm, null, addr, len, prot, flags, 0);
  const file = t.files?.get(fd) ?? null;
  if (!file) return -Errno.EBADF;
  if (!file.readable) return -Errno.EACCES;
  if ((flags & MAP_TYPE) === MAP_SHARED && (prot & PROT_WRITE) && !file.writable) return -Errno.EACCES;
  const devMmap = file.fop.mmap;
  if (devMmap) {
    const caller = callerOf(k, t);
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

/** Registers the memory system calls. */
export function defineMemoryCalls(table: Syscalls): void {
  define(table, {
    45: (_k, t, brk) => sysBrk(t.mm!, brk >>> 0),
    90: (k, t, argp) => sysOldMmap(k, t, argp),
    192: (k, t, addr, len, prot, flags, fd, pgoff) => mmapPgoff(k, t, addr, len, prot, flags, fd, pgoff >>> 0),
    91: (_k, t, addr, len) => doMunmap(t.mm!, addr >>> 0, len >>> 0),
    125: (_k, t, addr, len, prot) => sysMprotect(t.mm!, addr >>> 0, len >>> 0, prot),
    219: (_k, t, addr, len, advice) => sysMadvise(t.mm!, addr >>> 0, len >>> 0, advice),
    144: (k, t, addr, len) => {
      const mm = t.mm!;
      if (addr & 0xfff) return -Errno.EINVAL;
      for (let v = mm.findVma(addr >>> 0); v && v.vmStart < (addr >>> 0) + (len >>> 0); v = mm.next(v)) {
        if (v.vmFile) syncBacking(k.mmctx, v.vmFile);
      }
      return 0;
    },
    163: () => -Errno.ENOMEM,
  });
}
