// The i386 `struct stat64` (96 bytes, as fstat64/stat64/lstat64/fstatat64
// return it) built from an inode. Offsets:
//   0 st_dev u64 | 8 pad[4] | 12 __st_ino u32 | 16 st_mode | 20 st_nlink | 24 st_uid | 28 st_gid
//   32 st_rdev u64 | 40 pad[4] | 44 st_size s64 | 52 st_blksize | 56 st_blocks u64
//   64 st_atime | 68 st_atime_nsec | 72 st_mtime | 76 st_mtime_nsec | 80 st_ctime | 84 st_ctime_nsec
//   88 st_ino u64

import type { Inode } from "./inode.ts";
import { Errno } from "../errno.ts";
import type { FsCaller } from "./fscontext.ts";
import { lookupAt, AT_FDCWD, AT_SYMLINK_NOFOLLOW, AT_EMPTY_PATH } from "./open.ts";
import { encodeDev } from "./mode.ts";

export const STAT64_SIZE = 96;
export const STAT_BLKSIZE = 4096;

/** The attributes stat reports, in host form (getattr). */
export interface Kstat {
  dev: number;
  ino: number;
  mode: number;
  nlink: number;
  uid: number;
  gid: number;
  rdev: number;
  size: number;
  blksize: number;
  blocks: number;
  atimeSec: number;
  atimeNsec: number;
  mtimeSec: number;
  mtimeNsec: number;
  ctimeSec: number;
  ctimeNsec: number;
}

/** Collect stat attributes of an inode; st_blocks counts 512-byte units of allocated pages. */
export function getattr(inode: Inode): Kstat {
  const pages = inode.data !== null ? inode.data.allocatedPages : 0;
  return {
    dev: inode.sb.dev,
    ino: inode.ino,
    mode: inode.mode,
    nlink: inode.nlink,
    uid: inode.uid,
    gid: inode.gid,
    rdev: inode.rdev,
    size: inode.size,
    blksize: STAT_BLKSIZE,
    blocks: inode.blocks >= 0 ? inode.blocks : pages * 8,
    atimeSec: inode.atimeSec,
    atimeNsec: inode.atimeNsec,
    mtimeSec: inode.mtimeSec,
    mtimeNsec: inode.mtimeNsec,
    ctimeSec: inode.ctimeSec,
    ctimeNsec: inode.ctimeNsec,
  };
}

function setU64(v: DataView, off: number, x: number): void {
  v.setUint32(off, x >>> 0, true);
  v.setUint32(off + 4, Math.floor(x / 0x1_0000_0000) >>> 0, true);
}

/** Encode st as the 96-byte i386 struct stat64 (little-endian). */
export function encodeStat64(st: Kstat): Uint8Array {
  const out = new Uint8Array(STAT64_SIZE);
  const v = new DataView(out.buffer);
  setU64(v, 0, encodeDev(st.dev));
  v.setUint32(12, st.ino >>> 0, true);
  v.setUint32(16, st.mode >>> 0, true);
  v.setUint32(20, st.nlink >>> 0, true);
  v.setUint32(24, st.uid >>> 0, true);
  v.setUint32(28, st.gid >>> 0, true);
  setU64(v, 32, encodeDev(st.rdev));
  setU64(v, 44, st.size);
  v.setUint32(52, st.blksize >>> 0, true);
  setU64(v, 56, st.blocks);
  v.setUint32(64, st.atimeSec >>> 0, true);
  v.setUint32(68, st.atimeNsec >>> 0, true);
  v.setUint32(72, st.mtimeSec >>> 0, true);
  v.setUint32(76, st.mtimeNsec >>> 0, true);
  v.setUint32(80, st.ctimeSec >>> 0, true);
  v.setUint32(84, st.ctimeNsec >>> 0, true);
  setU64(v, 88, st.ino);
  return out;
}

/** fstatat64(2): struct stat64 bytes for (dfd, path); AT_EMPTY_PATH with "" stats dfd itself. */
export function sysFstatat64(caller: FsCaller, dfd: number, path: string, flags: number): Uint8Array | number {
  if ((flags & ~(AT_SYMLINK_NOFOLLOW | AT_EMPTY_PATH | 0x800)) !== 0) return -Errno.EINVAL;
  if (path.length === 0 && (flags & AT_EMPTY_PATH) !== 0) {
    if (dfd === AT_FDCWD) return encodeStat64(getattr(caller.fs.cwd.inode));
    return sysFstat64(caller, dfd);
  }
  const p = lookupAt(caller, dfd, path, (flags & AT_SYMLINK_NOFOLLOW) === 0);
  if (typeof p === "number") return p;
  return encodeStat64(getattr(p.inode));
}

export const sysStat64 = (caller: FsCaller, path: string): Uint8Array | number => sysFstatat64(caller, AT_FDCWD, path, 0);
export const sysLstat64 = (caller: FsCaller, path: string): Uint8Array | number =>
  sysFstatat64(caller, AT_FDCWD, path, AT_SYMLINK_NOFOLLOW);

export function sysFstat64(caller: FsCaller, fd: number): Uint8Array | number {
  const file = caller.files.get(fd);
  if (file === null) return -Errno.EBADF;
  return encodeStat64(getattr(file.inode));
}
