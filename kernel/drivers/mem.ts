// /dev/mem (character device 1:1): guest physical memory as a file, as on
// Linux with STRICT_DEVMEM. Only root may open it (CAP_SYS_RAWIO). read/write
// reach the ISA hole of the first MiB (VGA text memory, ROMs); the RAM below
// 640 KiB, where the kernel keeps its page directory, GDT, IDT, TSS and trap
// stubs, reads as zeros and ignores writes (as x86 devmem_is_allowed's "2" does
// since Linux 4.16); RAM above 1 MiB fails with EPERM, and anything past the end
// of RAM with EFAULT. mmap maps the ISA hole and device memory above RAM through
// remapPfnRange, so the area is VM_PFNMAP: the frames are never counted, and a
// private writable mapping gets copy-on-write copies (commit 6aab341e0a, "mm: re-architect the VM_UNPAGED logic", Linux 2.6.15).

import { Errno } from "../errno.ts";
import type { ChrdevTable } from "../fs/chrdev.ts";
import type { File, FileOps, IoCaller } from "../fs/file.ts";
import type { Cred } from "../fs/permission.ts";
import type { MmContext } from "../mm/context.ts";
import { remapPfnRange } from "../mm/memory.ts";
import type { VmArea } from "../mm/vma.ts";

export const MEM_MAJOR = 1;
export const MEM_MINOR = 1;
/** Frames below this (the first MiB) are reachable in some way, as x86 devmem_is_allowed says. */
const LOW_PFNS = 256;
/** Conventional memory ends at 640 KiB; the ISA hole (VGA, ROMs) follows. */
const LOW_RAM_PFNS = 0xa0;
/** A PTE holds a 20-bit frame number: physical addresses end at 4 GiB. */
const MAX_PFN = 0x10_0000;

const SEEK_SET = 0, SEEK_CUR = 1;

/** What /dev/mem may do with a frame (Linux devmem_is_allowed's 0, 1 and 2). */
export const enum Devmem {
  Denied = 0,
  Allowed = 1,
  /** Low RAM: reads give zeros, writes are dropped, mmap is refused. */
  Zeros = 2,
}

/** How frame pfn may be reached through /dev/mem. */
export function devmemIsAllowed(ctx: MmContext, pfn: number): Devmem {
  if (pfn < LOW_RAM_PFNS) return Devmem.Zeros;
  return pfn < LOW_PFNS || pfn >= ctx.frames.nframes ? Devmem.Allowed : Devmem.Denied;
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
    for (let p = Math.floor(pos / 4096); p * 4096 < pos + len; p++) if (devmemIsAllowed(ctx, p) === Devmem.Denied) return -Errno.EPERM;
    return 0;
  };
  /** Calls f for each piece of [pos, pos+len) within one page that may really be accessed. */
  const eachAllowed = (pos: number, len: number, f: (at: number, off: number, n: number) => void): void => {
    for (let at = pos; at < pos + len; ) {
      const n = Math.min(pos + len, (Math.floor(at / 4096) + 1) * 4096) - at;
      if (devmemIsAllowed(ctx, Math.floor(at / 4096)) === Devmem.Allowed) f(at, at - pos, n);
      at += n;
    }
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
      dst.fill(0, 0, len);
      eachAllowed(file.pos, len, (at, off, n) => dst.set(ctx.mem.readBytes(at, n), off));
      file.pos += len;
      return len;
    },
    write(file: File, src: Uint8Array) {
      const err = rangeOk(file.pos, src.length);
      if (err < 0) return err;
      eachAllowed(file.pos, src.length, (at, off, n) => ctx.mem.writeBytes(at, src.subarray(off, off + n)));
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
      for (let i = 0; i < pages; i++) if (devmemIsAllowed(ctx, pfn + i) !== Devmem.Allowed) return -Errno.EPERM;
      return remapPfnRange(vma.vmMm, vma, vma.vmStart, pfn, pages * 4096);
    },
  };
}

/** Registers /dev/mem's driver (the node itself comes from devfs). */
export function registerDevMem(table: ChrdevTable, ctx: MmContext): void {
  table.register(MEM_MAJOR, MEM_MINOR, devMemFops(ctx));
}
