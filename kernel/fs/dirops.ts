// Namespace-changing calls: mkdir, unlink, rmdir, rename, link, symlink,
// readlink. The VFS checks types, emptiness, permissions, mount boundaries
// (EXDEV, EBUSY) and loops (EINVAL for moving a directory into itself); the
// filesystem's InodeOps only move entries.

import { Errno } from "../errno.ts";
import type { FsCaller } from "./fscontext.ts";
import type { Inode } from "./inode.ts";
import type { ParentResult } from "./namei.ts";
import { pathParent, LastType, lookupChild, PATH_MAX } from "./namei.ts";
import { startPath, lookupAt, AT_FDCWD, AT_REMOVEDIR, AT_SYMLINK_FOLLOW, AT_EMPTY_PATH } from "./open.ts";
import { inodePermission, MAY_EXEC, MAY_WRITE } from "./permission.ts";
import { S_IFDIR, isDir, isLnk } from "./mode.ts";

function parentAt(caller: FsCaller, dfd: number, path: string): ParentResult | number {
  const start = startPath(caller, dfd, path);
  if (typeof start === "number") return start;
  return pathParent(caller.fs, caller.cred, start, path);
}

function mayModify(caller: FsCaller, dir: Inode): number {
  if (dir.nlink === 0) return -Errno.ENOENT;
  const perm = inodePermission(dir, MAY_WRITE | MAY_EXEC, caller.cred);
  if (perm < 0) return perm;
  if (dir.sb.readOnly) return -Errno.EROFS;
  return 0;
}

/** Sticky directories: only the owner of the file or the directory (or root) may remove/rename. */
function stickyDenied(caller: FsCaller, dir: Inode, victim: Inode): boolean {
  const uid = caller.cred.uid;
  return (dir.mode & 0o1000) !== 0 && uid !== 0 && uid !== dir.uid && uid !== victim.uid;
}

/** Is the inode a mountpoint or a mounted root? Those cannot be removed or renamed. */
function isBusy(caller: FsCaller, inode: Inode): boolean {
  return caller.fs.ns.mountedOn(inode) !== undefined || inode === inode.sb.root;
}

export function sysMkdirat(caller: FsCaller, dfd: number, path: string, mode: number): number {
  const par = parentAt(caller, dfd, path);
  if (typeof par === "number") return par;
  if (par.type !== LastType.Norm) return -Errno.EEXIST;
  const found = lookupChild(caller.fs, caller.cred, par.dir, par.last);
  if (typeof found !== "number") return -Errno.EEXIST;
  if (found !== -Errno.ENOENT) return found;
  const dir = par.dir.inode;
  const m = mayModify(caller, dir);
  if (m < 0) return m;
  if (dir.iop.create === undefined) return -Errno.EPERM;
  const r = dir.iop.create(dir, par.last, S_IFDIR | (mode & 0o1777 & ~caller.fs.umask), 0, caller.cred);
  return typeof r === "number" ? r : 0;
}

export function sysMkdir(caller: FsCaller, path: string, mode: number): number {
  return sysMkdirat(caller, AT_FDCWD, path, mode);
}

/** Look up the last component of par without following or crossing mounts. */
function childOf(par: ParentResult): Inode | null {
  const dir = par.dir.inode;
  return dir.iop.lookup?.(dir, par.last) ?? null;
}

function doUnlink(caller: FsCaller, par: ParentResult): number {
  if (par.type !== LastType.Norm) return -Errno.EISDIR;
  const dir = par.dir.inode;
  const x = inodePermission(dir, MAY_EXEC, caller.cred);
  if (x < 0) return x;
  const victim = childOf(par);
  if (victim === null) return -Errno.ENOENT;
  if (isDir(victim.mode)) return -Errno.EISDIR;
  if (par.trailingSlash) return -Errno.ENOTDIR;
  const m = mayModify(caller, dir);
  if (m < 0) return m;
  if (stickyDenied(caller, dir, victim)) return -Errno.EPERM;
  return dir.iop.unlink?.(dir, par.last) ?? -Errno.EPERM;
}

function doRmdir(caller: FsCaller, par: ParentResult): number {
  if (par.type === LastType.Dot) return -Errno.EINVAL;
  if (par.type === LastType.DotDot) return -Errno.ENOTEMPTY;
  if (par.type === LastType.Root) return -Errno.EBUSY;
  const dir = par.dir.inode;
  const x = inodePermission(dir, MAY_EXEC, caller.cred);
  if (x < 0) return x;
  const victim = childOf(par);
  if (victim === null) return -Errno.ENOENT;
  if (!isDir(victim.mode)) return -Errno.ENOTDIR;
  const m = mayModify(caller, dir);
  if (m < 0) return m;
  if (stickyDenied(caller, dir, victim)) return -Errno.EPERM;
  if (isBusy(caller, victim)) return -Errno.EBUSY;
  if (!(victim.iop.isEmpty?.(victim) ?? true)) return -Errno.ENOTEMPTY;
  return dir.iop.unlink?.(dir, par.last) ?? -Errno.EPERM;
}

/** unlinkat(2): flags 0 (unlink) or AT_REMOVEDIR (rmdir). */
export function sysUnlinkat(caller: FsCaller, dfd: number, path: string, flags: number): number {
  if ((flags & ~AT_REMOVEDIR) !== 0) return -Errno.EINVAL;
  const par = parentAt(caller, dfd, path);
  if (typeof par === "number") return par;
  return (flags & AT_REMOVEDIR) !== 0 ? doRmdir(caller, par) : doUnlink(caller, par);
}

export const sysUnlink = (caller: FsCaller, path: string): number => sysUnlinkat(caller, AT_FDCWD, path, 0);
export const sysRmdir = (caller: FsCaller, path: string): number => sysUnlinkat(caller, AT_FDCWD, path, AT_REMOVEDIR);

/** Is a an ancestor of (or equal to) d, within one filesystem? */
function isAncestor(a: Inode, d: Inode): boolean {
  for (let cur: Inode | null = d, guard = 0; cur !== null && guard < 100000; guard++) {
    if (cur === a) return true;
    if (cur.parent === cur) return false;
    cur = cur.parent;
  }
  return false;
}

/** renameat(2): move oldpath to newpath, replacing a compatible existing newpath. */
export function sysRenameat(caller: FsCaller, olddfd: number, oldpath: string, newdfd: number, newpath: string): number {
  const op = parentAt(caller, olddfd, oldpath);
  if (typeof op === "number") return op;
  const np = parentAt(caller, newdfd, newpath);
  if (typeof np === "number") return np;
  if (op.type !== LastType.Norm || np.type !== LastType.Norm) return -Errno.EBUSY;
  if (op.dir.mnt !== np.dir.mnt) return -Errno.EXDEV;
  const oldDir = op.dir.inode;
  const newDir = np.dir.inode;
  for (const d of [oldDir, newDir]) {
    const x = inodePermission(d, MAY_EXEC, caller.cred);
    if (x < 0) return x;
  }
  const src = childOf(op);
  if (src === null) return -Errno.ENOENT;
  const srcIsDir = isDir(src.mode);
  if (!srcIsDir && (op.trailingSlash || np.trailingSlash)) return -Errno.ENOTDIR;
  const dst = childOf(np);
  if (dst === src) return 0;
  if (srcIsDir && isAncestor(src, newDir)) return -Errno.EINVAL;
  if (dst !== null) {
    if (isAncestor(dst, oldDir)) return -Errno.ENOTEMPTY;
    if (srcIsDir && !isDir(dst.mode)) return -Errno.ENOTDIR;
    if (!srcIsDir && isDir(dst.mode)) return -Errno.EISDIR;
  }
  for (const d of [oldDir, newDir]) {
    const m = mayModify(caller, d);
    if (m < 0) return m;
  }
  if (srcIsDir && oldDir !== newDir) {
    const w = inodePermission(src, MAY_WRITE, caller.cred);
    if (w < 0) return w;
  }
  if (stickyDenied(caller, oldDir, src) || (dst !== null && stickyDenied(caller, newDir, dst))) return -Errno.EPERM;
  if (isBusy(caller, src) || (dst !== null && isBusy(caller, dst))) return -Errno.EBUSY;
  if (dst !== null && isDir(dst.mode) && !(dst.iop.isEmpty?.(dst) ?? true)) return -Errno.ENOTEMPTY;
  return oldDir.iop.rename?.(oldDir, op.last, newDir, np.last) ?? -Errno.EPERM;
}

export const sysRename = (caller: FsCaller, oldpath: string, newpath: string): number =>
  sysRenameat(caller, AT_FDCWD, oldpath, AT_FDCWD, newpath);

/** symlinkat(2): a new symlink at (newdfd, linkpath) holding target. */
export function sysSymlinkat(caller: FsCaller, target: string, newdfd: number, linkpath: string): number {
  if (target.length === 0) return -Errno.ENOENT;
  if (target.length >= PATH_MAX) return -Errno.ENAMETOOLONG;
  const par = parentAt(caller, newdfd, linkpath);
  if (typeof par === "number") return par;
  if (par.type !== LastType.Norm) return -Errno.EEXIST;
  const found = lookupChild(caller.fs, caller.cred, par.dir, par.last);
  if (typeof found !== "number") return -Errno.EEXIST;
  if (found !== -Errno.ENOENT) return found;
  const dir = par.dir.inode;
  const m = mayModify(caller, dir);
  if (m < 0) return m;
  if (dir.iop.symlink === undefined) return -Errno.EPERM;
  const r = dir.iop.symlink(dir, par.last, target, caller.cred);
  return typeof r === "number" ? r : 0;
}

/** linkat(2): a new name for an existing non-directory in the same mount. */
export function sysLinkat(caller: FsCaller, olddfd: number, oldpath: string, newdfd: number, newpath: string, flags: number): number {
  if ((flags & ~(AT_SYMLINK_FOLLOW | AT_EMPTY_PATH)) !== 0) return -Errno.EINVAL;
  const old = lookupAt(caller, olddfd, oldpath, (flags & AT_SYMLINK_FOLLOW) !== 0);
  if (typeof old === "number") return old;
  const par = parentAt(caller, newdfd, newpath);
  if (typeof par === "number") return par;
  if (par.type !== LastType.Norm) return -Errno.EEXIST;
  const found = lookupChild(caller.fs, caller.cred, par.dir, par.last);
  if (typeof found !== "number") return -Errno.EEXIST;
  if (found !== -Errno.ENOENT) return found;
  if (old.mnt !== par.dir.mnt) return -Errno.EXDEV;
  if (isDir(old.inode.mode)) return -Errno.EPERM;
  const dir = par.dir.inode;
  const m = mayModify(caller, dir);
  if (m < 0) return m;
  if (old.inode.nlink === 0) return -Errno.ENOENT;
  return dir.iop.link?.(dir, par.last, old.inode) ?? -Errno.EPERM;
}

/** readlinkat(2): the target bytes, at most bufsiz of them (no NUL), or -EINVAL if not a symlink. */
export function sysReadlinkat(caller: FsCaller, dfd: number, path: string, bufsiz: number): Uint8Array | number {
  if (bufsiz <= 0) return -Errno.EINVAL;
  const p = lookupAt(caller, dfd, path, false);
  if (typeof p === "number") return p;
  if (!isLnk(p.inode.mode) || p.inode.iop.readlink === undefined) return -Errno.EINVAL;
  const t = p.inode.iop.readlink(p.inode);
  if (typeof t === "number") return t;
  const n = Math.min(t.length, bufsiz);
  const out = new Uint8Array(n);
  for (let i = 0; i < n; i++) out[i] = t.charCodeAt(i) & 0xff;
  return out;
}
