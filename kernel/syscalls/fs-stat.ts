// File attributes and directory listings: stat64/lstat64/fstat64/fstatat64
// and statfs/statfs64/fstatfs/fstatfs64,
// (struct stat64 from the VFS), the old i386 stat/lstat/fstat (the 64-byte
// struct stat, with Linux's EOVERFLOW checks), getdents64 and the old
// getdents (struct linux_dirent, d_type in the last byte of each record).

import type { Kernel } from "../kernel.ts";
import type { Task } from "../proc/task.ts";
import { Errno } from "../errno.ts";
import { sysFstatat64, getattr, encodeStat64, type Kstat } from "../fs/stat.ts";
import { AT_FDCWD, AT_SYMLINK_NOFOLLOW, lookupAt } from "../fs/open.ts";
import { sysGetdents64 } from "../fs/readdir.ts";
import { encodeDev, isDir } from "../fs/mode.ts";
import { statfsOf, encodeStatfs, encodeStatfs64, STATFS64_SIZE, type Kstatfs } from "../fs/statfs.ts";
import { getPath, putBytes } from "./fs-user.ts";

/** fstatat64(dfd, path, struct stat64 *buf, flags). */
export function sysFstatat64Call(k: Kernel, t: Task, dfd: number, path: number, buf: number, flags: number): number {
  const p = getPath(t, path);
  if (typeof p === "number") return p;
  const r = sysFstatat64(t.fsCaller, dfd, p, flags);
  if (typeof r === "number") return r;
  return putBytes(t, buf, r);
}

export const sysStat64Call = (k: Kernel, t: Task, path: number, buf: number): number =>
  sysFstatat64Call(k, t, AT_FDCWD, path, buf, 0);
export const sysLstat64Call = (k: Kernel, t: Task, path: number, buf: number): number =>
  sysFstatat64Call(k, t, AT_FDCWD, path, buf, AT_SYMLINK_NOFOLLOW);

export function sysFstat64Call(_k: Kernel, t: Task, fd: number, buf: number): number {
  const file = t.files?.get(fd) ?? null;
  if (file === null) return -Errno.EBADF;
  return putBytes(t, buf, encodeStat64(getattr(file.inode)));
}

function statfsPath(k: Kernel, t: Task, path: number): Kstatfs | number {
  const p = getPath(t, path);
  if (typeof p === "number") return p;
  const r = lookupAt(t.fsCaller, AT_FDCWD, p, true);
  return typeof r === "number" ? r : statfsOf(r.inode.sb);
}

function statfsFd(t: Task, fd: number): Kstatfs | number {
  const file = t.files?.get(fd) ?? null;
  return file === null ? -Errno.EBADF : statfsOf(file.inode.sb);
}

function putStatfs(t: Task, buf: number, s: Kstatfs | number): number {
  if (typeof s === "number") return s;
  const b = encodeStatfs(s);
  return typeof b === "number" ? b : putBytes(t, buf, b);
}

function putStatfs64(t: Task, size: number, buf: number, s: Kstatfs | number): number {
  if (size !== STATFS64_SIZE) return -Errno.EINVAL;
  return typeof s === "number" ? s : putBytes(t, buf, encodeStatfs64(s));
}

/** statfs(path, buf), fstatfs(fd, buf), statfs64(path, size, buf), fstatfs64(fd, size, buf): the file system holding it. */
export const sysStatfsCall = (k: Kernel, t: Task, path: number, buf: number): number => putStatfs(t, buf, statfsPath(k, t, path));
export const sysFstatfsCall = (_k: Kernel, t: Task, fd: number, buf: number): number => putStatfs(t, buf, statfsFd(t, fd));
export const sysStatfs64Call = (k: Kernel, t: Task, path: number, size: number, buf: number): number =>
  putStatfs64(t, size, buf, statfsPath(k, t, path));
export const sysFstatfs64Call = (_k: Kernel, t: Task, fd: number, size: number, buf: number): number =>
  putStatfs64(t, size, buf, statfsFd(t, fd));

export const OLD_STAT_SIZE = 64;

/**
 * The i386 `struct stat` (cp_new_stat): u32 dev, u32 ino, u16 mode, u16 nlink,
 * u16 uid, u16 gid, u32 rdev, u32 size, blksize, blocks, atime, atime_nsec,
 * mtime, mtime_nsec, ctime, ctime_nsec, two unused words. -EOVERFLOW when a
 * value does not fit, as Linux.
 */
export function encodeOldStat(st: Kstat): Uint8Array | number {
  if (st.ino > 0xffffffff || st.size > 0x7fffffff || st.nlink > 0xffff) return -Errno.EOVERFLOW;
  const out = new Uint8Array(OLD_STAT_SIZE);
  const v = new DataView(out.buffer);
  v.setUint32(0, encodeDev(st.dev), true);
  v.setUint32(4, st.ino >>> 0, true);
  v.setUint16(8, st.mode & 0xffff, true);
  v.setUint16(10, st.nlink, true);
  v.setUint16(12, st.uid > 0xffff ? 65534 : st.uid, true);
  v.setUint16(14, st.gid > 0xffff ? 65534 : st.gid, true);
  v.setUint32(16, encodeDev(st.rdev), true);
  v.setUint32(20, st.size >>> 0, true);
  v.setUint32(24, st.blksize >>> 0, true);
  v.setUint32(28, st.blocks >>> 0, true);
  v.setUint32(32, st.atimeSec >>> 0, true);
  v.setUint32(36, st.atimeNsec >>> 0, true);
  v.setUint32(40, st.mtimeSec >>> 0, true);
  v.setUint32(44, st.mtimeNsec >>> 0, true);
  v.setUint32(48, st.ctimeSec >>> 0, true);
  v.setUint32(52, st.ctimeNsec >>> 0, true);
  return out;
}

function putOldStat(t: Task, buf: number, st: Kstat): number {
  const b = encodeOldStat(st);
  return typeof b === "number" ? b : putBytes(t, buf, b);
}

function oldStatPath(k: Kernel, t: Task, path: number, buf: number, follow: boolean): number {
  const p = getPath(t, path);
  if (typeof p === "number") return p;
  const r = lookupAt(t.fsCaller, AT_FDCWD, p, follow);
  if (typeof r === "number") return r;
  return putOldStat(t, buf, getattr(r.inode));
}

export const sysOldStat = (k: Kernel, t: Task, path: number, buf: number): number => oldStatPath(k, t, path, buf, true);
export const sysOldLstat = (k: Kernel, t: Task, path: number, buf: number): number => oldStatPath(k, t, path, buf, false);
export function sysOldFstat(_k: Kernel, t: Task, fd: number, buf: number): number {
  const file = t.files?.get(fd) ?? null;
  if (file === null) return -Errno.EBADF;
  return putOldStat(t, buf, getattr(file.inode));
}

/** getdents64(fd, dirp, count): bytes of linux_dirent64 records. */
export function sysGetdents64Call(k: Kernel, t: Task, fd: number, dirp: number, count: number): number {
  const r = sysGetdents64(t.fsCaller, fd, Math.min(count >>> 0, 0x7fffffff));
  if (typeof r === "number") return r;
  const c = putBytes(t, dirp, r);
  return c < 0 ? c : r.length;
}

/** Largest buffer one old getdents call fills. */
const GETDENTS_CHUNK = 65536;

/**
 * getdents(fd, dirp, count): `struct linux_dirent` records: u32 d_ino, u32
 * d_off, u16 d_reclen, name, NUL, d_type in the record's last byte; records
 * padded to 4 bytes. -EINVAL if the first record does not fit.
 */
export function sysGetdents(_k: Kernel, t: Task, fd: number, dirp: number, count: number): number {
  const file = t.files?.get(fd) ?? null;
  if (file === null) return -Errno.EBADF;
  const dir = file.inode;
  if (!isDir(dir.mode) || dir.iop.iterate === undefined) return -Errno.ENOTDIR;
  if (!file.readable) return -Errno.EBADF;
  const cap = Math.min(count >>> 0, GETDENTS_CHUNK);
  const out = new Uint8Array(cap);
  const v = new DataView(out.buffer);
  let used = 0;
  let err = 0;
  dir.iop.iterate(dir, file.pos, (name, ino, dtype, nextPos) => {
    const reclen = (10 + name.length + 2 + 3) & ~3;
    if (used + reclen > cap) {
      if (used === 0) err = -Errno.EINVAL;
      return false;
    }
    if (ino > 0xffffffff || nextPos > 0x7fffffff) {
      err = -Errno.EOVERFLOW;
      return false;
    }
    v.setUint32(used, ino, true);
    v.setUint32(used + 4, nextPos, true);
    v.setUint16(used + 8, reclen, true);
    for (let i = 0; i < name.length; i++) out[used + 10 + i] = name.charCodeAt(i) & 0xff;
    out[used + reclen - 1] = dtype;
    used += reclen;
    file.pos = nextPos;
    return true;
  });
  if (used === 0 && err < 0) return err;
  const c = putBytes(t, dirp, out.subarray(0, used));
  return c < 0 ? c : used;
}
