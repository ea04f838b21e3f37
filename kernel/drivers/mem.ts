// /dev/mem (character device 1:1): guest physical memory as a file, as on
// Linux with STRICT_DEVMEM. Only root may open it (CAP_SYS_RAWIO). read/write
// reach the first MiB (BIOS data, VGA text memory, ROMs) and fail with EPERM
// on RAM above it and EFAULT past the end of RAM. mmap maps any range that is
// not RAM above 1 MiB (the ISA hole, device memory above RAM) through
// remapPfnRange, so the area is VM_PFNMAP: the frames are never counted, and a
// private writable mapping gets copy-on-write copies (seed 004).

import { Errno } from "../errno.ts";
import type { ChrdevTable } from "../fs/chrdev.ts";
import type { File, FileOps, IoCaller } from "../fs/file.ts";
import type { Cred } from "../fs/permission.ts";
import type { MmContext } from "../mm/context.ts";
import { remapPfnRange } from "../mm/memory.ts";
import type { VmArea } from "../mm/vma.ts";

export const MEM_MAJOR = 1;
export const MEM_MINOR = 1;
/** Frames below this (the first MiB) are always accessible, as x86 devmem_is_allowed says. */
const LOW_PFNS = 256;
/** A PTE holds a 20-bit frame number: physical addresses end at 4 GiB. */
const MAX_PFN = 0x10_0000;

const SEEK_SET = 0, SEEK_CUR = 1;

/** True if frame pfn may be reached through /dev/mem: the first MiB, or anything that is not RAM. */
export function devmemIsAllowed(ctx: MmContext, pfn: number): boolean {
  return pfn < LOW_PFNS || pfn >= ctx.frames.nframes;
}

function callerIsRoot(caller: IoCaller): boolean {
  const cred = (caller as IoCaller & { cred?: Cred }).cred;
  return cred === undefined || cred.uid === 0;
}

/** The file operations of /dev/mem over ctx's physical memory. */
export function devMemFops(ctx: MmContext): FileOps {
  const ramEnd = ctx.frames.nframes * 4096;
  /** Checks [pos, pos+len) for read/write: 0, -EFAULT past RAM, -EPERM for RAM above 1 MiB. */
  const rangeOk = (pos: number, len: number): number => {
    if (pos + len > ramEnd) return -Errno.EFAULT;
    for (let p = Math.floor(pos / 4096); p * 4096 < pos + len; p++) if (!devmemIsAllowed(ctx, p)) return -Errno.EPERM;
    return 0;
  };
  return {
    open(_inode, _file, caller) {
      return callerIsRoot(caller) ? 0 : -Errno.EPERM;
    },
    read(file: File, dst: Uint8Array) {
      const len = Math.min(dst.length, Math.max(0, ramEnd - file.pos));
      if (dst.length > 0 && len === 0) return -Errno.EFAULT;
      const err = rangeOk(file.pos, len);
      if (err < 0) return err;
      dst.set(ctx.mem.readBytes(file.pos, len));
      file.pos += len;
      return len;
    },
    write(file: File, src: Uint8Array) {
      const err = rangeOk(file.pos, src.length);
      if (err < 0) return err;
      ctx.mem.writeBytes(file.pos, src);
      file.pos += src.length;
      return src.length;
    },
    llseek(file: File, offset: number, whence: number) {
      let pos: number;
      if (whence === SEEK_SET) pos = offset;
      else if (whence === SEEK_CUR) pos = file.pos + offset;
      else return -Errno.EINVAL;
      if (pos < 0) return -Errno.EINVAL;
      file.pos = pos;
      return pos;
    },
    mmap(_file: File, vma: VmArea) {
      const pfn = vma.vmPgoff;
      const pages = vma.pages;
      if (pfn + pages > MAX_PFN) return -Errno.EINVAL;
      for (let i = 0; i < pages; i++) if (!devmemIsAllowed(ctx, pfn + i)) return -Errno.EPERM;
      return remapPfnRange(vma.vmMm, vma, vma.vmStart, pfn, pages * 4096);
    },
  };
}

/** Registers /dev/mem's driver (the node itself comes from devfs). */
export function registerDevMem(table: ChrdevTable, ctx: MmContext): void {
  table.register(MEM_MAJOR, MEM_MINOR, devMemFops(ctx));
}
