// Path resolution (namei): components, ".", "..", mount crossing, symlinks
// (at most MAXSYMLINKS followed per lookup), and the errors Linux gives:
// ENOENT, ENOTDIR, ENAMETOOLONG, ELOOP, EACCES (search permission).
// Paths are byte strings: one char per byte (latin1), as the syscall layer decodes them.

import { Errno } from "../errno.ts";
import type { Inode } from "./inode.ts";
import type { Mount, Path } from "./mount.ts";
import { samePath } from "./mount.ts";
import type { FsContext } from "./fscontext.ts";
import type { Cred } from "./permission.ts";
import { inodePermission, MAY_EXEC } from "./permission.ts";
import { isDir, isLnk } from "./mode.ts";

export const PATH_MAX = 4096;
export const NAME_MAX = 255;
export const MAXSYMLINKS = 40;

/** Kind of the last component of a parent lookup. */
export const enum LastType {
  Norm,
  Root,
  Dot,
  DotDot,
}

export interface ParentResult {
  dir: Path;
  /** The final component ("" for LastType.Root). */
  last: string;
  type: LastType;
  /** The path ended in "/" (the object must be a directory). */
  trailingSlash: boolean;
}

interface WalkState {
  links: number;
}

/** The parent of p, staying at the process root and crossing mount boundaries upward. */
export function followDotDot(ctx: FsContext, p: Path): Path {
  for (;;) {
    if (samePath(p, ctx.root)) return p;
    if (p.inode === p.mnt.root) {
      if (p.mnt.parent === null || p.mnt.mountpoint === null) return p;
      p = { mnt: p.mnt.parent, inode: p.mnt.mountpoint };
      continue;
    }
    return { mnt: p.mnt, inode: p.inode.parent ?? p.inode };
  }
}

function checkPath(path: string): number {
  if (path.length === 0) return -Errno.ENOENT;
  if (path.length >= PATH_MAX) return -Errno.ENAMETOOLONG;
  return 0;
}

/** Look up one component in directory dir (a real name, not "." / ".."); crosses mounts. */
function lookupOne(ctx: FsContext, cred: Cred, dir: Path, name: string): Path | number {
  if (!isDir(dir.inode.mode)) return -Errno.ENOTDIR;
  const perm = inodePermission(dir.inode, MAY_EXEC, cred);
  if (perm < 0) return perm;
  if (name.length > NAME_MAX) return -Errno.ENAMETOOLONG;
  if (name === ".") return dir;
  if (name === "..") return followDotDot(ctx, dir);
  const child = dir.inode.iop.lookup?.(dir.inode, name) ?? null;
  if (child === null) return -Errno.ENOENT;
  return ctx.ns.cross({ mnt: dir.mnt, inode: child });
}

/** Replace a symlink found in dir by what it points to. */
function followLink(ctx: FsContext, cred: Cred, dir: Path, link: Inode, st: WalkState): Path | number {
  if (++st.links > MAXSYMLINKS) return -Errno.ELOOP;
  const target = link.iop.readlink?.(link) ?? -Errno.EINVAL;
  if (typeof target === "number") return target;
  if (!link.sb.confineLinks) return walk(ctx, cred, dir, target, true, st);
  // A confined mount (hostfs): the target must stay inside the mount the link is in.
  if (target.charCodeAt(0) === 0x2f) return -Errno.EACCES;
  return walk(ctx, cred, dir, target, true, st, dir.mnt);
}

/** confine: a mount whose root ".." may not climb out of (the walk of a confined symlink's target). */
function walk(
  ctx: FsContext, cred: Cred, start: Path, path: string, follow: boolean, st: WalkState, confine: Mount | null = null,
): Path | number {
  const bad = checkPath(path);
  if (bad < 0) return bad;
  let cur = path.charCodeAt(0) === 0x2f ? ctx.root : start;
  const comps = path.split("/").filter((c) => c.length > 0);
  const trailing = path.endsWith("/");
  for (let i = 0; i < comps.length; i++) {
    const last = i === comps.length - 1;
    if (confine !== null && comps[i] === ".." && cur.mnt === confine && cur.inode === confine.root) return -Errno.EACCES;
    const next = lookupOne(ctx, cred, cur, comps[i]);
    if (typeof next === "number") return next;
    if (isLnk(next.inode.mode) && (!last || follow || trailing)) {
      const r = followLink(ctx, cred, cur, next.inode, st);
      if (typeof r === "number") return r;
      cur = r;
    } else {
      cur = next;
    }
  }
  if (trailing && !isDir(cur.inode.mode)) return -Errno.ENOTDIR;
  return cur;
}

/**
 * Resolve path relative to start (absolute paths start at ctx.root). follow:
 * whether a symlink in the last component is followed. Result: the Path or -errno.
 */
export function pathLookup(ctx: FsContext, cred: Cred, start: Path, path: string, follow: boolean): Path | number {
  return walk(ctx, cred, start, path, follow, { links: 0 });
}

/**
 * Resolve everything but the last component (for create, unlink, rename...).
 * The parent is searched (X permission) but the last name is not looked up.
 */
export function pathParent(ctx: FsContext, cred: Cred, start: Path, path: string): ParentResult | number {
  const bad = checkPath(path);
  if (bad < 0) return bad;
  const comps = path.split("/").filter((c) => c.length > 0);
  const trailing = path.endsWith("/") && comps.length > 0;
  const base = path.charCodeAt(0) === 0x2f ? ctx.root : start;
  if (comps.length === 0) return { dir: base, last: "", type: LastType.Root, trailingSlash: false };
  const last = comps[comps.length - 1];
  let dir: Path | number = base;
  if (comps.length > 1) {
    const prefix = (path.charCodeAt(0) === 0x2f ? "/" : "") + comps.slice(0, -1).join("/") + "/";
    dir = walk(ctx, cred, base, prefix, true, { links: 0 });
    if (typeof dir === "number") return dir;
  }
  if (!isDir(dir.inode.mode)) return -Errno.ENOTDIR;
  if (last.length > NAME_MAX) return -Errno.ENAMETOOLONG;
  const type = last === "." ? LastType.Dot : last === ".." ? LastType.DotDot : LastType.Norm;
  return { dir, last, type, trailingSlash: trailing };
}

/** Look up name in dir (search permission checked, mounts crossed, a symlink NOT followed). */
export function lookupChild(ctx: FsContext, cred: Cred, dir: Path, name: string): Path | number {
  return lookupOne(ctx, cred, dir, name);
}

/** Follow p if it is a symlink whose containing directory is dir (after a parent lookup). */
export function followIfLink(ctx: FsContext, cred: Cred, dir: Path, p: Path): Path | number {
  if (!isLnk(p.inode.mode)) return p;
  return followLink(ctx, cred, dir, p.inode, { links: 0 });
}

/**
 * The absolute path of p as seen from ctx.root, or -ENOENT if p was removed
 * (getcwd). Names are found by scanning each parent directory.
 */
export function pathName(ctx: FsContext, p: Path): string | number {
  if (p.inode.nlink === 0) return -Errno.ENOENT;
  const parts: string[] = [];
  let cur = p;
  for (let guard = 0; guard < 4096; guard++) {
    if (samePath(cur, ctx.root)) break;
    if (cur.inode === cur.mnt.root) {
      if (cur.mnt.parent === null || cur.mnt.mountpoint === null) break; // outside the chroot
      cur = { mnt: cur.mnt.parent, inode: cur.mnt.mountpoint };
      continue;
    }
    const parent = cur.inode.parent;
    if (parent === null) return -Errno.ENOENT;
    const name = nameIn(parent, cur.inode);
    if (name === null) return -Errno.ENOENT;
    parts.push(name);
    cur = { mnt: cur.mnt, inode: parent };
  }
  return "/" + parts.reverse().join("/");
}

function nameIn(dir: Inode, child: Inode): string | null {
  let found: string | null = null;
  dir.iop.iterate?.(dir, 2, (name, ino) => {
    if (ino === child.ino && dir.iop.lookup?.(dir, name) === child) {
      found = name;
      return false;
    }
    return true;
  });
  return found;
}
