// ramfs: the root filesystem. Directories are ordered maps of entries,
// regular files are PageStores whose pages come from the superblock's page
// allocator (guest frames under the kernel), symlinks keep their target text.
// With page/inode limits set it is tmpfs (see tmpfs.ts).

import { Errno } from "../errno.ts";
import { Inode, SuperBlock } from "./inode.ts";
import type { FsClock, InodeOps } from "./inode.ts";
import type { Cred } from "./permission.ts";
import type { File, FileOps } from "./file.ts";
import { O_APPEND, evictInode, genericLlseek } from "./file.ts";
import { PageStore } from "./pagestore.ts";
import { HostFilePages, type FilePageAllocator } from "./filepages.ts";
import {
  S_IFDIR, S_IFLNK, S_IFMT, S_IFREG, S_IFCHR, S_IFBLK, S_IFIFO, S_IFSOCK, isDir, modeToDtype,
} from "./mode.ts";
import { chrdevFops, blkdevFops } from "./chrdev.ts";
import type { ChrdevTable } from "./chrdev.ts";
import { fifoFops } from "./pipe.ts";
import { named } from "../named.ts";

export const RAMFS_MAGIC = 0x858458f6;

interface DirPriv {
  nextCookie: number;
}

function newInode(sb: SuperBlock, mode: number, cred: Cred): Inode | number {
  if (sb.usedInodes + 1 > sb.maxInodes) return -Errno.ENOSPC;
  sb.usedInodes++;
  const inode = new Inode(sb, sb.allocIno(), mode, ramfsDirOps, ramfsNoFops);
  inode.uid = cred.uid;
  inode.gid = cred.gid;
  switch (mode & S_IFMT) {
    case S_IFREG:
      inode.data = new PageStore(inode);
      inode.fop = ramfsFileFops;
      inode.iop = ramfsFileOps;
      break;
    case S_IFDIR:
      inode.entries = new Map();
      inode.priv = { nextCookie: 2 } satisfies DirPriv;
      inode.nlink = 2;
      inode.fop = ramfsDirFops;
      break;
    case S_IFLNK:
      inode.iop = ramfsLinkOps;
      break;
    case S_IFCHR:
      inode.fop = chrdevFops;
      inode.iop = ramfsFileOps;
      break;
    case S_IFBLK:
      inode.fop = blkdevFops;
      inode.iop = ramfsFileOps;
      break;
    case S_IFIFO:
      inode.fop = fifoFops;
      inode.iop = ramfsFileOps;
      break;
    case S_IFSOCK:
      inode.iop = ramfsFileOps;
      break;
    default:
      sb.usedInodes--;
      return -Errno.EINVAL;
  }
  return inode;
}

function addEntry(dir: Inode, name: string, inode: Inode): void {
  const priv = dir.priv as DirPriv;
  dir.entries!.set(name, { inode, cookie: priv.nextCookie++ });
  dir.touch(false, true, true);
}

/** Drop one link of inode (its entry is already gone); frees it when unused. */
function dropLink(inode: Inode): void {
  if (isDir(inode.mode)) inode.nlink = 0;
  else if (inode.nlink > 0) inode.nlink--;
  inode.touch(false, false, true);
  if (inode.nlink === 0 && inode.openCount === 0) evictInode(inode);
}

const ramfsDirOps: InodeOps = named("ramfs.ramfsDirOps", {
  lookup(dir, name) {
    return dir.entries?.get(name)?.inode ?? null;
  },
  create(dir, name, mode, rdev, cred) {
    const inode = newInode(dir.sb, mode, cred);
    if (typeof inode === "number") return inode;
    inode.rdev = rdev;
    if (isDir(mode)) {
      inode.parent = dir;
      dir.nlink++;
    }
    addEntry(dir, name, inode);
    return inode;
  },
  symlink(dir, name, target, cred) {
    const inode = newInode(dir.sb, S_IFLNK | 0o777, cred);
    if (typeof inode === "number") return inode;
    inode.target = target;
    inode.size = target.length;
    addEntry(dir, name, inode);
    return inode;
  },
  link(dir, name, inode) {
    inode.nlink++;
    inode.touch(false, false, true);
    addEntry(dir, name, inode);
    return 0;
  },
  unlink(dir, name) {
    const e = dir.entries!.get(name);
    if (e === undefined) return -Errno.ENOENT;
    dir.entries!.delete(name);
      dir.touch(false, true, true);
    if (isDir(e.inode.mode)) dir.nlink--;
    dropLink(e.inode);
    return 0;
  },
  rename(oldDir, oldName, newDir, newName) {
    const e = oldDir.entries!.get(oldName);
    if (e === undefined) return -Errno.ENOENT;
    const victim = newDir.entries!.get(newName);
    if (victim !== undefined && victim.inode === e.inode) return 0;
    if (victim !== undefined) {
      newDir.entries!.delete(newName);
      if (isDir(victim.inode.mode)) newDir.nlink--;
      dropLink(victim.inode);
    }
    oldDir.entries!.delete(oldName);
    oldDir.touch(false, true, true);
    if (isDir(e.inode.mode)) {
      oldDir.nlink--;
      newDir.nlink++;
      e.inode.parent = newDir;
    }
    addEntry(newDir, newName, e.inode);
    e.inode.touch(false, false, true);
    return 0;
  },
  iterate(dir, pos, emit) {
    if (pos <= 0) {
      if (!emit(".", dir.ino, modeToDtype(dir.mode), 1)) return;
      pos = 1;
    }
    if (pos <= 1) {
      const parent = dir.parent ?? dir;
      if (!emit("..", parent.ino, modeToDtype(parent.mode), 2)) return;
      pos = 2;
    }
    for (const [name, e] of dir.entries!) {
      if (e.cookie < pos) continue;
      if (!emit(name, e.inode.ino, modeToDtype(e.inode.mode), e.cookie + 1)) return;
    }
  },
  isEmpty(dir) {
    return dir.entries!.size === 0;
  },
});

const ramfsFileOps: InodeOps = named("ramfs.ramfsFileOps", {
  truncate(inode, size) {
    if (inode.data === null) return -Errno.EINVAL;
    const r = inode.data.truncate(size);
    if (r === 0) inode.touch(false, true, true);
    return r;
  },
});

const ramfsLinkOps: InodeOps = named("ramfs.ramfsLinkOps", {
  readlink(inode) {
    return inode.target ?? -Errno.EINVAL;
  },
});

const ramfsNoFops: FileOps = named("ramfs.ramfsNoFops", {});

const ramfsDirFops: FileOps = named("ramfs.ramfsDirFops", {
  read(): number {
    return -Errno.EISDIR;
  },
  write(): number {
    return -Errno.EISDIR;
  },
  llseek(file: File, offset: number, whence: number): number {
    // Directory positions are getdents cookies; only absolute and relative seeks make sense.
    if (whence !== 0 && whence !== 1) return -Errno.EINVAL;
    const pos = (whence === 1 ? file.pos : 0) + offset;
    if (pos < 0) return -Errno.EINVAL;
    file.pos = pos;
    return pos;
  },
});

export const ramfsFileFops: FileOps = named("ramfs.ramfsFileFops", {
  read(file, dst) {
    const n = file.inode.data!.read(file.pos, dst);
    file.pos += n;
    return n;
  },
  write(file, src) {
    const inode = file.inode;
    if ((file.flags & O_APPEND) !== 0) file.pos = inode.size;
    const n = inode.data!.write(file.pos, src);
    if (n > 0) {
      file.pos += n;
      inode.touch(false, true, true);
    }
    return n;
  },
  llseek: genericLlseek,
});

export interface RamfsOptions {
  dev: number;
  clock: FsClock;
  /** Root directory permission bits (default 0755). */
  rootMode?: number;
  /** Limits (tmpfs); default unlimited. */
  maxPages?: number;
  maxInodes?: number;
  type?: string;
  magic?: number;
  /** Where device inodes find their drivers (null: opening a device gives ENXIO). */
  chrdevs?: ChrdevTable | null;
  /** Where file pages come from (the kernel passes guest frames); default: bounded host memory. */
  pages?: FilePageAllocator;
}

/** A fresh, empty ramfs instance (the root directory counts as one inode, always granted). */
export function createRamfs(opts: RamfsOptions): SuperBlock {
  const sb = new SuperBlock(opts.type ?? "ramfs", opts.dev, opts.clock, opts.magic ?? RAMFS_MAGIC);
  const root = newInode(sb, S_IFDIR | (opts.rootMode ?? 0o755), { uid: 0, gid: 0 }) as Inode;
  sb.chrdevs = opts.chrdevs ?? null;
  sb.pages = opts.pages ?? new HostFilePages();
  sb.maxPages = opts.maxPages ?? Infinity;
  sb.maxInodes = Math.max(opts.maxInodes ?? Infinity, 1);
  root.parent = root;
  sb.root = root;
  return sb;
}
