// msync (Linux mm/msync.c). ramfs and tmpfs files live in RAM (a mapping's
// cache frames are the file's own pages), so for them there is nothing to
// write back; a file with a backing store (hostfs) has its dirty cached pages
// written back for every shared area in the range, whatever the flags (Linux
// leaves MS_ASYNC to the flusher threads; here it is done at once). The call
// checks its arguments and the range as Linux does.

import { Errno } from "../errno.ts";
import { PAGE_MASK, TASK_SIZE, pageAlignLen } from "./config.ts";
import type { Mm } from "./mm.ts";
import { VM_LOCKED, VM_SHARED } from "./vma.ts";

export const MS_ASYNC = 1, MS_INVALIDATE = 2, MS_SYNC = 4;

/**
 * msync(start, len, flags): -EINVAL for unknown flags, MS_ASYNC with MS_SYNC,
 * or an unaligned start; -EBUSY for MS_INVALIDATE over locked pages; -ENOMEM
 * when part of the range is not mapped; else 0.
 */
export function sysMsync(mm: Mm, start: number, len: number, flags: number): number {
  start >>>= 0;
  if (flags & ~(MS_ASYNC | MS_INVALIDATE | MS_SYNC)) return -Errno.EINVAL;
  if (start & ~PAGE_MASK) return -Errno.EINVAL;
  if (flags & MS_ASYNC && flags & MS_SYNC) return -Errno.EINVAL;
  const end = start + pageAlignLen(len >>> 0);
  if (end > TASK_SIZE) return -Errno.ENOMEM;
  let unmapped = false;
  for (let a = start; a < end; ) {
    const v = mm.findVma(a);
    if (!v || v.vmStart >= end) return -Errno.ENOMEM;
    if (v.vmStart > a) unmapped = true;
    if (flags & MS_INVALIDATE && v.vmFlags & VM_LOCKED) return -Errno.EBUSY;
    a = v.vmEnd;
  }
  for (let a = start; a < end; ) {
    const v = mm.findVma(a);
    if (!v || v.vmStart >= end) break;
    if (v.vmFlags & VM_SHARED && v.vmFile?.writeback) {
      const r = v.vmFile.writeback();
      if (r < 0) return r;
    }
    a = v.vmEnd;
  }
  return unmapped ? -Errno.ENOMEM : 0;
}
