// The VFS entry points that name files by path or open them: openat/creat,
// close, mknod, truncate/ftruncate, access, chdir/fchdir, getcwd. Each takes
// the calling task (FsCaller) and returns a result or -errno, never throws.

import { Errno } from "../errno.ts";
import type { FsCaller, FsContext } from "./fscontext.ts";
import type { Path } from "./mount.ts";
import type { Inode } from "./inode.ts";
import {
  File, O_ACCMODE, O_CREAT, O_EXCL, O_TRUNC, O_NOCTTY, O_DIRECTORY, O_NOFOLLOW, O_CLOEXEC, O_PATH,
  O_RDONLY, O_WRONLY, O_RDWR, fput,
} from "./file.ts";
import { pathLookup, pathParent, LastType, lookupChild, followIfLink, pathName, PATH_MAX } from "./namei.ts";
import { inodePermission, MAY_EXEC, MAY_READ, MAY_WRITE } from "./permission.ts";
import { decodeDev, S_IFMT, S_IFREG, S_IFCHR, S_IFBLK, S_IFIFO, S_IFSOCK, isDir, isLnk, isReg } from "./mode.ts";

export const AT_FDCWD = -100;
export const AT_SYMLINK_NOFOLLOW = 0x100;
export const AT_REMOVEDIR = 0x200;
export const AT_SYMLINK_FOLLOW = 0x400;
export const AT_EACCESS = 0x200;
export const AT_EMPTY_PATH = 0x1000;
export const F_OK = 0;
export const X_OK = 1;
export const W_OK = 2;
export const R_OK = 4;

/** Where a *at() path starts: the root for absolute paths, else cwd or the directory open at dfd. */
export function startPath(caller: FsCaller, dfd: number, path: string): Path | number {
  if (path.charCodeAt(0) === 0x2f) return caller.fs.root;
  if (dfd === AT_FDCWD) return caller.fs.cwd;
  const file = caller.files.get(dfd);
  if (file === null) return -Errno.EBADF;
  if (file.mnt === null || !isDir(file.inode.mode)) return -Errno.ENOTDIR;
  return { mnt: file.mnt, inode: file.inode };
}

/** Resolve (dfd, path) fully; follow = whether a final symlink is followed. */
export function lookupAt(caller: FsCaller, dfd: number, path: string, follow: boolean): Path | number {
  const start = startPath(caller, dfd, path);
  if (typeof start === "number") return start;
  return pathLookup(caller.fs, caller.cred, start, path, follow);
}

function accMask(flags: number): number {
  const acc = flags & O_ACCMODE;
  let mask = 0;
  if (acc === O_RDONLY || acc === O_RDWR) mask |= MAY_READ;
  if (acc === O_WRONLY || acc === O_RDWR || (flags & O_TRUNC) !== 0) mask |= MAY_WRITE;
  return mask;
}

/** path opened from start, made absolute and normalised (. and .. removed); "" if start has no name. */
function absoluteName(fs: FsContext, start: Path, path: string): string {
  let base = "";
  if (!path.startsWith("/")) {
    const s = pathName(fs, start);
    if (typeof s === "number") return "";
    base = s;
  }
  const parts: string[] = [];
  for (const c of `${base}/${path}`.split("/")) {
    if (c === "" || c === ".") continue;
    if (c === "..") parts.pop();
    else parts.push(c);
  }
  return "/" + parts.join("/");
}

/**
 * Open (dfd, path) and return a new File (the caller owns its one reference)
 * or -errno. Used by openat and by exec (which opens without an fd).
 */
export function openFile(caller: FsCaller, dfd: number, path: string, flags: number, mode: number): File | number {
  if ((flags & O_ACCMODE) === 3 && (flags & O_PATH) === 0) return -Errno.EINVAL;
  const start = startPath(caller, dfd, path);
  if (typeof start === "number") return start;
  const { fs, cred } = caller;
  let target: Path;
  let created = false;
  if ((flags & O_CREAT) !== 0) {
    const par = pathParent(fs, cred, start, path);
    if (typeof par === "number") return par;
    if (par.type !== LastType.Norm) return -Errno.EISDIR;
    const found = lookupChild(fs, cred, par.dir, par.last);
    if (typeof found === "number" && found !== -Errno.ENOENT) return found;
    if (typeof found !== "number") {
      if ((flags & O_EXCL) !== 0) return -Errno.EEXIST;
      if (isLnk(found.inode.mode)) {
        if ((flags & O_NOFOLLOW) !== 0) return -Errno.ELOOP;
        const r = followIfLink(fs, cred, par.dir, found);
        if (typeof r === "number") return r;
        target = r;
      } else {
        target = found;
      }
      if (isDir(target.inode.mode)) return -Errno.EISDIR;
    } else {
      if (par.trailingSlash) return -Errno.EISDIR;
      const dir = par.dir.inode;
      if (dir.nlink === 0) return -Errno.ENOENT;
      const perm = inodePermission(dir, MAY_WRITE | MAY_EXEC, cred);
      if (perm < 0) return perm;
      if (dir.sb.readOnly) return -Errno.EROFS;
      if (dir.iop.create === undefined) return -Errno.EACCES;
      const inode = dir.iop.create(dir, par.last, S_IFREG | (mode & 0o7777 & ~fs.umask), 0, cred);
      if (typeof inode === "number") return inode;
      target = { mnt: par.dir.mnt, inode };
      created = true;
    }
  } else {
    const r = pathLookup(fs, cred, start, path, (flags & O_NOFOLLOW) === 0);
    if (typeof r === "number") return r;
    target = r;
    if (isLnk(target.inode.mode) && (flags & O_PATH) === 0) return -Errno.ELOOP;
  }
  const inode = target.inode;
  if ((flags & O_DIRECTORY) !== 0 && !isDir(inode.mode)) return -Errno.ENOTDIR;
  if ((flags & O_PATH) === 0) {
    if (isDir(inode.mode) && ((flags & O_ACCMODE) !== O_RDONLY || (flags & O_CREAT) !== 0)) return -Errno.EISDIR;
    if (!created) {
      const perm = inodePermission(inode, accMask(flags), cred);
      if (perm < 0) return perm;
    }
    if ((accMask(flags) & MAY_WRITE) !== 0 && inode.sb.readOnly && (isReg(inode.mode) || isDir(inode.mode)))
      return -Errno.EROFS;
  }
  const fileFlags = flags & ~(O_CREAT | O_EXCL | O_NOCTTY | O_TRUNC | O_CLOEXEC);
  const file = new File(inode, target.mnt, fileFlags, (flags & O_PATH) !== 0 ? {} : inode.fop);
  file.name = absoluteName(fs, start, path);
  if ((flags & O_PATH) === 0) {
    const r = file.fop.open?.(inode, file, caller) ?? 0;
    if (r < 0) {
      file.fop = {};
      fput(file);
      return r;
    }
    if ((flags & O_TRUNC) !== 0 && isReg(inode.mode) && file.writable && !created) {
      const t = inode.iop.truncate?.(inode, 0) ?? 0;
      if (t < 0) {
        fput(file);
        return t;
      }
    }
  }
  return file;
}

/** openat(2): a new descriptor (lowest free) or -errno. */
export function sysOpenat(caller: FsCaller, dfd: number, path: string, flags: number, mode: number): number {
  const file = openFile(caller, dfd, path, flags, mode);
  if (typeof file === "number") return file;
  const fd = caller.files.install(file, (flags & O_CLOEXEC) !== 0);
  if (fd < 0) fput(file);
  return fd;
}

export function sysOpen(caller: FsCaller, path: string, flags: number, mode: number): number {
  return sysOpenat(caller, AT_FDCWD, path, flags, mode);
}

export function sysClose(caller: FsCaller, fd: number): number {
  return caller.files.close(fd);
}

/** mknodat(2): regular files, FIFOs, sockets, and (root only) device nodes. */
export function sysMknodat(caller: FsCaller, dfd: number, path: string, mode: number, dev: number): number {
  const type = mode & S_IFMT;
  if (type === 0) mode |= S_IFREG;
  else if (type !== S_IFREG && type !== S_IFCHR && type !== S_IFBLK && type !== S_IFIFO && type !== S_IFSOCK)
    return -Errno.EINVAL;
  if ((type === S_IFCHR || type === S_IFBLK) && caller.cred.uid !== 0) return -Errno.EPERM;
  return createNode(caller, dfd, path, (mode & S_IFMT) | (mode & 0o7777 & ~caller.fs.umask), decodeDev(dev));
}

/** Make a new non-directory, non-symlink node at (dfd, path): 0 or -errno (EEXIST if taken). */
export function createNode(caller: FsCaller, dfd: number, path: string, mode: number, rdev: number): number {
  const start = startPath(caller, dfd, path);
  if (typeof start === "number") return start;
  const { fs, cred } = caller;
  const par = pathParent(fs, cred, start, path);
  if (typeof par === "number") return par;
  if (par.type !== LastType.Norm) return -Errno.EEXIST;
  const found = lookupChild(fs, cred, par.dir, par.last);
  if (typeof found !== "number") return -Errno.EEXIST;
  if (found !== -Errno.ENOENT) return found;
  const dir = par.dir.inode;
  if (dir.nlink === 0) return -Errno.ENOENT;
  const perm = inodePermission(dir, MAY_WRITE | MAY_EXEC, cred);
  if (perm < 0) return perm;
  if (dir.sb.readOnly) return -Errno.EROFS;
  if (dir.iop.create === undefined) return -Errno.EPERM;
  const r = dir.iop.create(dir, par.last, mode, rdev, cred);
  return typeof r === "number" ? r : 0;
}

function doTruncate(caller: FsCaller, p: Path, length: number): number {
  const inode = p.inode;
  if (isDir(inode.mode)) return -Errno.EISDIR;
  if (!isReg(inode.mode)) return -Errno.EINVAL;
  const perm = inodePermission(inode, MAY_WRITE, caller.cred);
  if (perm < 0) return perm;
  if (inode.sb.readOnly) return -Errno.EROFS;
  return inode.iop.truncate?.(inode, length) ?? -Errno.EINVAL;
}

/** truncate(2)/truncate64. */
export function sysTruncate(caller: FsCaller, path: string, length: number): number {
  if (length < 0 || !Number.isSafeInteger(length)) return -Errno.EINVAL;
  const p = lookupAt(caller, AT_FDCWD, path, true);
  if (typeof p === "number") return p;
  return doTruncate(caller, p, length);
}

/** ftruncate(2)/ftruncate64: the file must be a regular file open for writing. */
export function sysFtruncate(caller: FsCaller, fd: number, length: number): number {
  const file = caller.files.get(fd);
  if (file === null) return -Errno.EBADF;
  if (length < 0 || !Number.isSafeInteger(length)) return -Errno.EINVAL;
  if (!isReg(file.inode.mode) || !file.writable) return -Errno.EINVAL;
  return file.inode.iop.truncate?.(file.inode, length) ?? -Errno.EINVAL;
}

/** faccessat(2) with the caller's credentials (no separate real ids are kept here). */
export function sysFaccessat(caller: FsCaller, dfd: number, path: string, mode: number, flags = 0): number {
  if ((mode & ~7) !== 0) return -Errno.EINVAL;
  if ((flags & ~(AT_SYMLINK_NOFOLLOW | AT_EACCESS | AT_EMPTY_PATH)) !== 0) return -Errno.EINVAL;
  const p = lookupAt(caller, dfd, path, (flags & AT_SYMLINK_NOFOLLOW) === 0);
  if (typeof p === "number") return p;
  if (mode === F_OK) return 0;
  let mask = 0;
  if (mode & R_OK) mask |= MAY_READ;
  if (mode & W_OK) mask |= MAY_WRITE;
  if (mode & X_OK) mask |= MAY_EXEC;
  const perm = inodePermission(p.inode, mask, caller.cred);
  if (perm < 0) return perm;
  if ((mask & MAY_WRITE) !== 0 && p.inode.sb.readOnly && !isLnk(p.inode.mode)) return -Errno.EROFS;
  return 0;
}

function setCwd(caller: FsCaller, p: Path): number {
  if (!isDir(p.inode.mode)) return -Errno.ENOTDIR;
  const perm = inodePermission(p.inode, MAY_EXEC, caller.cred);
  if (perm < 0) return perm;
  caller.fs.cwd = p;
  return 0;
}

export function sysChdir(caller: FsCaller, path: string): number {
  const p = lookupAt(caller, AT_FDCWD, path, true);
  if (typeof p === "number") return p;
  return setCwd(caller, p);
}

export function sysFchdir(caller: FsCaller, fd: number): number {
  const file = caller.files.get(fd);
  if (file === null) return -Errno.EBADF;
  if (file.mnt === null) return -Errno.ENOTDIR;
  return setCwd(caller, { mnt: file.mnt, inode: file.inode });
}

/** chroot(2) (root only). */
export function sysChroot(caller: FsCaller, path: string): number {
  if (caller.cred.uid !== 0) return -Errno.EPERM;
  const p = lookupAt(caller, AT_FDCWD, path, true);
  if (typeof p === "number") return p;
  if (!isDir(p.inode.mode)) return -Errno.ENOTDIR;
  caller.fs.root = p;
  return 0;
}

/**
 * getcwd(2): the path bytes INCLUDING the terminating NUL (what the syscall
 * copies out; its length is the syscall's return value), -ERANGE if size is
 * too small, -ENOENT if the cwd was removed.
 */
export function sysGetcwd(caller: FsCaller, size: number): Uint8Array | number {
  const name = pathName(caller.fs, caller.fs.cwd);
  if (typeof name === "number") return name;
  if (name.length + 1 > PATH_MAX) return -Errno.ENAMETOOLONG;
  if (name.length + 1 > size) return -Errno.ERANGE;
  const out = new Uint8Array(name.length + 1);
  for (let i = 0; i < name.length; i++) out[i] = name.charCodeAt(i) & 0xff;
  return out;
}

/** umask(2): set the new mask, return the old one. */
export function sysUmask(caller: FsCaller, mask: number): number {
  const old = caller.fs.umask;
  caller.fs.umask = mask & 0o777;
  return old;
}

function chmodInode(caller: FsCaller, inode: Inode, mode: number): number {
  if (caller.cred.uid !== 0 && caller.cred.uid !== inode.uid) return -Errno.EPERM;
  if (inode.sb.readOnly) return -Errno.EROFS;
  if (inode.iop.setattr) return inode.iop.setattr(inode, mode & 0o7777);
  inode.mode = (inode.mode & S_IFMT) | (mode & 0o7777);
  inode.touch(false, false, true);
  return 0;
}

function chownInode(caller: FsCaller, inode: Inode, uid: number, gid: number): number {
  const keepU = uid === -1 || uid === 0xffffffff;
  const keepG = gid === -1 || gid === 0xffffffff;
  if (caller.cred.uid !== 0) {
    if (!keepU && uid !== inode.uid) return -Errno.EPERM;
    if (!keepG && (caller.cred.uid !== inode.uid || (gid !== caller.cred.gid && !(caller.cred.groups ?? []).includes(gid))))
      return -Errno.EPERM;
  }
  if (inode.sb.readOnly) return -Errno.EROFS;
  if (inode.iop.setattr) {
    // hostfs keeps no owners of its own (files appear as root's): only a no-op chown succeeds.
    return (!keepU && uid >>> 0 !== inode.uid) || (!keepG && gid >>> 0 !== inode.gid) ? -Errno.EPERM : 0;
  }
  if (!keepU) inode.uid = uid >>> 0;
  if (!keepG) inode.gid = gid >>> 0;
  if (!isDir(inode.mode)) inode.mode &= ~0o6000;
  inode.touch(false, false, true);
  return 0;
}

/** fchmodat(2): owner or root may set the permission bits. */
export function sysFchmodat(caller: FsCaller, dfd: number, path: string, mode: number): number {
  const p = lookupAt(caller, dfd, path, true);
  if (typeof p === "number") return p;
  return chmodInode(caller, p.inode, mode);
}

export function sysFchmod(caller: FsCaller, fd: number, mode: number): number {
  const file = caller.files.get(fd);
  if (file === null) return -Errno.EBADF;
  return chmodInode(caller, file.inode, mode);
}

/** fchownat(2) (uid/gid -1 = unchanged); clears set-id bits of non-directories. */
export function sysFchownat(caller: FsCaller, dfd: number, path: string, uid: number, gid: number, flags: number): number {
  if ((flags & ~(AT_SYMLINK_NOFOLLOW | AT_EMPTY_PATH)) !== 0) return -Errno.EINVAL;
  const p = lookupAt(caller, dfd, path, (flags & AT_SYMLINK_NOFOLLOW) === 0);
  if (typeof p === "number") return p;
  return chownInode(caller, p.inode, uid, gid);
}

export function sysFchown(caller: FsCaller, fd: number, uid: number, gid: number): number {
  const file = caller.files.get(fd);
  if (file === null) return -Errno.EBADF;
  return chownInode(caller, file.inode, uid, gid);
}
