// System calls that name files by path (open, mkdir, unlink, rename, link,
// symlink, readlink, chmod, chown, access, chdir, chroot, truncate, getcwd)
// and their *at variants: each copies its path arguments in from user memory
// and calls the VFS entry point with the task's FsCaller.

import type { Kernel } from "../kernel.ts";
import type { Task } from "../proc/task.ts";
import { Errno } from "../errno.ts";
import type { FsCaller } from "../fs/fscontext.ts";
import {
  sysOpenat, sysMknodat, sysTruncate, sysFtruncate, sysFaccessat, sysChdir, sysFchdir, sysChroot, sysGetcwd,
  sysUmask, sysFchmodat, sysFchmod, sysFchownat, sysFchown, AT_FDCWD, AT_SYMLINK_NOFOLLOW,
} from "../fs/open.ts";
import { sysMkdirat, sysUnlinkat, sysRenameat, sysSymlinkat, sysLinkat, sysReadlinkat } from "../fs/dirops.ts";
import { O_CREAT, O_WRONLY, O_TRUNC, O_CLOEXEC, O_NONBLOCK, fput } from "../fs/file.ts";
import { createPipe } from "../fs/pipe.ts";
import { getPath, putBytes, putWords, join64 } from "./fs-user.ts";
import { vfsOf } from "../vfs.ts";

type PathOp = (c: FsCaller, path: string) => number;

/** Copy the path at va in and run op on it. */
function withPath(k: Kernel, t: Task, va: number, op: PathOp): number {
  const path = getPath(t, va);
  if (typeof path === "number") return path;
  return op(t.fsCaller, path);
}

function withTwoPaths(k: Kernel, t: Task, a: number, b: number, op: (c: FsCaller, p1: string, p2: string) => number): number {
  const p1 = getPath(t, a);
  if (typeof p1 === "number") return p1;
  const p2 = getPath(t, b);
  if (typeof p2 === "number") return p2;
  return op(t.fsCaller, p1, p2);
}

export const sysOpen = (k: Kernel, t: Task, path: number, flags: number, mode: number): number =>
  withPath(k, t, path, (c, p) => sysOpenat(c, AT_FDCWD, p, flags, mode));
export const sysOpenatCall = (k: Kernel, t: Task, dfd: number, path: number, flags: number, mode: number): number =>
  withPath(k, t, path, (c, p) => sysOpenat(c, dfd, p, flags, mode));
export const sysCreat = (k: Kernel, t: Task, path: number, mode: number): number =>
  withPath(k, t, path, (c, p) => sysOpenat(c, AT_FDCWD, p, O_CREAT | O_WRONLY | O_TRUNC, mode));

export function sysCloseCall(_k: Kernel, t: Task, fd: number): number {
  return t.files === null ? -Errno.EBADF : t.files.close(fd);
}

export const sysLinkCall = (k: Kernel, t: Task, a: number, b: number): number =>
  withTwoPaths(k, t, a, b, (c, p1, p2) => sysLinkat(c, AT_FDCWD, p1, AT_FDCWD, p2, 0));
export const sysLinkatCall = (k: Kernel, t: Task, od: number, a: number, nd: number, b: number, flags: number): number =>
  withTwoPaths(k, t, a, b, (c, p1, p2) => sysLinkat(c, od, p1, nd, p2, flags));
export const sysUnlinkCall = (k: Kernel, t: Task, a: number): number =>
  withPath(k, t, a, (c, p) => sysUnlinkat(c, AT_FDCWD, p, 0));
export const sysUnlinkatCall = (k: Kernel, t: Task, dfd: number, a: number, flags: number): number =>
  withPath(k, t, a, (c, p) => sysUnlinkat(c, dfd, p, flags));
export const sysRmdirCall = (k: Kernel, t: Task, a: number): number =>
  withPath(k, t, a, (c, p) => sysUnlinkat(c, AT_FDCWD, p, 0x200));
export const sysMkdirCall = (k: Kernel, t: Task, a: number, mode: number): number =>
  withPath(k, t, a, (c, p) => sysMkdirat(c, AT_FDCWD, p, mode));
export const sysMkdiratCall = (k: Kernel, t: Task, dfd: number, a: number, mode: number): number =>
  withPath(k, t, a, (c, p) => sysMkdirat(c, dfd, p, mode));
export const sysMknodCall = (k: Kernel, t: Task, a: number, mode: number, dev: number): number =>
  withPath(k, t, a, (c, p) => sysMknodat(c, AT_FDCWD, p, mode, dev >>> 0));
export const sysMknodatCall = (k: Kernel, t: Task, dfd: number, a: number, mode: number, dev: number): number =>
  withPath(k, t, a, (c, p) => sysMknodat(c, dfd, p, mode, dev >>> 0));
export const sysRenameCall = (k: Kernel, t: Task, a: number, b: number): number =>
  withTwoPaths(k, t, a, b, (c, p1, p2) => sysRenameat(c, AT_FDCWD, p1, AT_FDCWD, p2));
export const sysRenameatCall = (k: Kernel, t: Task, od: number, a: number, nd: number, b: number): number =>
  withTwoPaths(k, t, a, b, (c, p1, p2) => sysRenameat(c, od, p1, nd, p2));
export const sysSymlinkCall = (k: Kernel, t: Task, target: number, link: number): number =>
  withTwoPaths(k, t, target, link, (c, p1, p2) => sysSymlinkat(c, p1, AT_FDCWD, p2));
export const sysSymlinkatCall = (k: Kernel, t: Task, target: number, nd: number, link: number): number =>
  withTwoPaths(k, t, target, link, (c, p1, p2) => sysSymlinkat(c, p1, nd, p2));
export const sysChdirCall = (k: Kernel, t: Task, a: number): number => withPath(k, t, a, (c, p) => sysChdir(c, p));
export const sysFchdirCall = (k: Kernel, t: Task, fd: number): number => sysFchdir(t.fsCaller, fd);
export const sysChrootCall = (k: Kernel, t: Task, a: number): number => withPath(k, t, a, (c, p) => sysChroot(c, p));
export const sysChmodCall = (k: Kernel, t: Task, a: number, mode: number): number =>
  withPath(k, t, a, (c, p) => sysFchmodat(c, AT_FDCWD, p, mode));
export const sysFchmodatCall = (k: Kernel, t: Task, dfd: number, a: number, mode: number): number =>
  withPath(k, t, a, (c, p) => sysFchmodat(c, dfd, p, mode));
export const sysFchmodCall = (k: Kernel, t: Task, fd: number, mode: number): number => sysFchmod(t.fsCaller, fd, mode);
export const sysChownCall = (k: Kernel, t: Task, a: number, uid: number, gid: number): number =>
  withPath(k, t, a, (c, p) => sysFchownat(c, AT_FDCWD, p, uid, gid, 0));
export const sysLchownCall = (k: Kernel, t: Task, a: number, uid: number, gid: number): number =>
  withPath(k, t, a, (c, p) => sysFchownat(c, AT_FDCWD, p, uid, gid, AT_SYMLINK_NOFOLLOW));
export const sysFchownatCall = (k: Kernel, t: Task, dfd: number, a: number, uid: number, gid: number, flags: number): number =>
  withPath(k, t, a, (c, p) => sysFchownat(c, dfd, p, uid, gid, flags));
export const sysFchownCall = (k: Kernel, t: Task, fd: number, uid: number, gid: number): number =>
  sysFchown(t.fsCaller, fd, uid, gid);
export const sysAccessCall = (k: Kernel, t: Task, a: number, mode: number): number =>
  withPath(k, t, a, (c, p) => sysFaccessat(c, AT_FDCWD, p, mode, 0));
export const sysFaccessatCall = (k: Kernel, t: Task, dfd: number, a: number, mode: number): number =>
  withPath(k, t, a, (c, p) => sysFaccessat(c, dfd, p, mode, 0));
export const sysTruncateCall = (k: Kernel, t: Task, a: number, len: number): number =>
  withPath(k, t, a, (c, p) => sysTruncate(c, p, len | 0));
export const sysTruncate64Call = (k: Kernel, t: Task, a: number, lo: number, hi: number): number =>
  withPath(k, t, a, (c, p) => sysTruncate(c, p, join64(lo, hi)));
export const sysFtruncateCall = (k: Kernel, t: Task, fd: number, len: number): number =>
  sysFtruncate(t.fsCaller, fd, len | 0);
export const sysFtruncate64Call = (k: Kernel, t: Task, fd: number, lo: number, hi: number): number =>
  sysFtruncate(t.fsCaller, fd, join64(lo, hi));
export const sysUmaskCall = (k: Kernel, t: Task, mask: number): number => sysUmask(t.fsCaller, mask);

/** readlink(path, buf, bufsiz) and readlinkat: the byte count (no NUL). */
export function sysReadlinkatCall(k: Kernel, t: Task, dfd: number, a: number, buf: number, bufsiz: number): number {
  const path = getPath(t, a);
  if (typeof path === "number") return path;
  if ((bufsiz | 0) <= 0) return -Errno.EINVAL;
  const r = sysReadlinkat(t.fsCaller, dfd, path, Math.min(bufsiz | 0, 4096));
  if (typeof r === "number") return r;
  const c = putBytes(t, buf, r);
  return c < 0 ? c : r.length;
}

export const sysReadlinkCall = (k: Kernel, t: Task, a: number, buf: number, bufsiz: number): number =>
  sysReadlinkatCall(k, t, AT_FDCWD, a, buf, bufsiz);

/** getcwd(buf, size): the length including the NUL. */
export function sysGetcwdCall(k: Kernel, t: Task, buf: number, size: number): number {
  const r = sysGetcwd(t.fsCaller, size >>> 0);
  if (typeof r === "number") return r;
  const c = putBytes(t, buf, r);
  return c < 0 ? c : r.length;
}

export function sysDup(_k: Kernel, t: Task, fd: number): number {
  return t.files === null ? -Errno.EBADF : t.files.dup(fd);
}
export function sysDup2(_k: Kernel, t: Task, oldfd: number, newfd: number): number {
  return t.files === null ? -Errno.EBADF : t.files.dup2(oldfd, newfd);
}
export function sysDup3(_k: Kernel, t: Task, oldfd: number, newfd: number, flags: number): number {
  return t.files === null ? -Errno.EBADF : t.files.dup3(oldfd, newfd, flags);
}

/** pipe2(int fds[2], flags): both descriptors or none. */
export function sysPipe2(k: Kernel, t: Task, fds: number, flags: number): number {
  if ((flags & ~(O_NONBLOCK | O_CLOEXEC)) !== 0) return -Errno.EINVAL;
  const files = t.files;
  if (files === null) return -Errno.EBADF;
  const ends = createPipe(vfsOf(k).pipefs, flags, t.euid, t.egid);
  if (typeof ends === "number") return ends;
  const [r, w] = ends;
  const cloexec = (flags & O_CLOEXEC) !== 0;
  const rfd = files.install(r, cloexec);
  if (rfd < 0) {
    fput(r);
    fput(w);
    return rfd;
  }
  const wfd = files.install(w, cloexec);
  if (wfd < 0) {
    files.close(rfd);
    fput(w);
    return wfd;
  }
  const c = putWords(t, fds, [rfd, wfd]);
  if (c < 0) {
    files.close(rfd);
    files.close(wfd);
    return c;
  }
  return 0;
}

export const sysPipe = (k: Kernel, t: Task, fds: number): number => sysPipe2(k, t, fds, 0);
