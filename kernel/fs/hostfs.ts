// hostfs: a host folder mounted in the guest through the host-folder device
// (docs/hostfs.md), driven through kernel/arch/hostfs-channel.ts. One Inode
// per device node (one host file), made on lookup and kept; attributes are
// refreshed by every lookup. Files appear owned by root (uid 0, gid 0) with
// the host's permission bits; the host still checks its own permissions, and
// its EACCES comes back as is.
//
// Data: read(2) and write(2) go to the device, except for pages the file's
// page cache holds (a mapping faulted them in, see kernel/hostfs-mapping.ts):
// reads take those bytes from the cache, writes go to the host AND into the
// cached page, so read, write and every mapping see one copy. Dirty cached
// pages (stores through MAP_SHARED) are written back by msync, munmap, fsync,
// close and reclaim.
//
// Symlinks are never followed by the device: namei follows them within the
// guest, and refuses (EACCES) an absolute target or one whose ".." climbs
// out of the mount (SuperBlock.confineLinks).

import { Errno } from "../errno.ts";
import { Inode, SuperBlock } from "./inode.ts";
import type { FsClock, InodeOps } from "./inode.ts";
import type { File, FileOps } from "./file.ts";
import { O_APPEND, genericLlseek } from "./file.ts";
import { S_IFDIR, S_IFLNK, S_IFMT, S_IFREG, isDir } from "./mode.ts";
import { HostFsChannel, HostFsOp, DIRENT_HEADER, SETATTR_MODE, SETATTR_SIZE, type HostAttr } from "../arch/hostfs-channel.ts";
import { panic } from "../panic.ts";
import { named } from "../named.ts";

export const HOSTFS_MAGIC = 0x01021997; // V9FS_MAGIC: the guest sees a 9p-like network file system

/** The page cache of a mapped hostfs file, as the mapping bridge gives it to the file system. */
export interface HostfsPageCache {
  /** The frame caching page index, or -1. */
  findPage(index: number): number;
  /** Any page cached at all? */
  readonly cachedPages: number;
  copyFrom(pfn: number, off: number, dst: Uint8Array, dstOff: number, len: number): void;
  copyTo(pfn: number, off: number, src: Uint8Array): void;
  /** Writes dirty cached pages to the host: 0 or the first -errno. */
  writeback(): number;
  /** The file now has this size: unmap and drop pages wholly past it, clear the tail of the last. */
  truncated(size: number): void;
  /** The file has no names and no users left: free the cache. */
  release(): void;
}

/** Per-inode state. */
export interface HostfsNode {
  node: number;
  cache: HostfsPageCache | null;
}

interface HostfsInfo {
  chan: HostFsChannel;
  inodes: Map<number, Inode>;
}

function infoOf(sb: SuperBlock): HostfsInfo {
  if (sb.type !== "hostfs") panic("hostfs: not a hostfs superblock");
  return sb.fsInfo as HostfsInfo;
}

/** The device node and cache of a hostfs inode. */
export function hostfsNode(inode: Inode): HostfsNode {
  return inode.priv as HostfsNode;
}

export function isHostfs(inode: Inode): boolean {
  return inode.sb.type === "hostfs";
}

function chanOf(inode: Inode): HostFsChannel {
  return infoOf(inode.sb).chan;
}

function applyAttr(inode: Inode, a: HostAttr): void {
  if ((inode.mode & S_IFMT) === (a.mode & S_IFMT)) inode.mode = a.mode;
  inode.nlink = a.nlink;
  inode.size = a.size;
  inode.blocks = a.blocks;
  inode.atimeSec = a.atimeSec;
  inode.atimeNsec = a.atimeNsec;
  inode.mtimeSec = a.mtimeSec;
  inode.mtimeNsec = a.mtimeNsec;
  inode.ctimeSec = a.ctimeSec;
  inode.ctimeNsec = a.ctimeNsec;
}

/** The inode of the node in the last answer (made on first sight), its attributes refreshed. */
function inodeFromAttr(sb: SuperBlock, a: HostAttr): Inode {
  const info = infoOf(sb);
  let inode = info.inodes.get(a.node);
  if (inode === undefined || (inode.mode & S_IFMT) !== (a.mode & S_IFMT)) {
    const type = a.mode & S_IFMT;
    const ops = type === S_IFDIR ? dirOps : type === S_IFLNK ? linkOps : fileOps;
    const fops = type === S_IFDIR ? dirFops : type === S_IFREG ? fileFops : specialFops;
    inode = new Inode(sb, a.ino, a.mode, ops, fops);
    inode.priv = { node: a.node, cache: null } satisfies HostfsNode;
    info.inodes.set(a.node, inode);
  }
  applyAttr(inode, a);
  return inode;
}

/** Asks the device for fresh attributes of inode: 0 or -errno. */
export function hostfsRefresh(inode: Inode): number {
  const chan = chanOf(inode);
  const r = chan.call(HostFsOp.GETATTR, hostfsNode(inode).node);
  if (r < 0) return r;
  applyAttr(inode, chan.attr());
  return 0;
}

/** The child's inode after a successful answer carrying its attr; directories learn their parent. */
function childFrom(dir: Inode): Inode {
  const inode = inodeFromAttr(dir.sb, chanOf(dir).attr());
  if (isDir(inode.mode)) inode.parent = dir;
  return inode;
}

function lookupNode(dir: Inode, name: string): Inode | number {
  const r = chanOf(dir).call(HostFsOp.LOOKUP, hostfsNode(dir).node, { name1: name });
  return r < 0 ? r : childFrom(dir);
}

/** A name went away: the inode loses a link (a directory all of them); its cache goes with its last user. */
function dropLink(inode: Inode): void {
  inode.nlink = isDir(inode.mode) ? 0 : Math.max(0, inode.nlink - 1);
  if (inode.nlink === 0 && inode.openCount === 0) hostfsNode(inode).cache?.release();
}

const dirOps: InodeOps = named("hostfs.dirOps", {
  lookup(dir, name) {
    const r = lookupNode(dir, name);
    return typeof r === "number" ? null : r;
  },
  create(dir, name, mode) {
    const type = mode & S_IFMT;
    if (type !== S_IFREG && type !== S_IFDIR) return -Errno.EPERM; // no device nodes, FIFOs or sockets on the host
    const op = type === S_IFDIR ? HostFsOp.MKDIR : HostFsOp.CREATE;
    const r = chanOf(dir).call(op, hostfsNode(dir).node, { name1: name, arg0: mode & 0o7777 });
    if (r < 0) return r;
    const child = childFrom(dir); // before the directory's refresh reuses the answer block
    hostfsRefresh(dir);
    return child;
  },
  symlink(dir, name, target) {
    const chan = chanOf(dir);
    const bytes = Uint8Array.from(target, (c) => c.charCodeAt(0) & 0xff);
    if (bytes.length > chan.bounceBytes) return -Errno.ENAMETOOLONG;
    chan.writeBounce(bytes);
    const r = chan.call(HostFsOp.SYMLINK, hostfsNode(dir).node, { name1: name, count: bytes.length, pages: chan.pagesFor(bytes.length) });
    if (r < 0) return r;
    const child = childFrom(dir); // before the directory's refresh reuses the answer block
    hostfsRefresh(dir);
    return child;
  },
  link(dir, name, inode) {
    const r = chanOf(dir).call(HostFsOp.LINK, hostfsNode(dir).node, { name1: name, arg0: hostfsNode(inode).node });
    if (r < 0) return r;
    childFrom(dir);
    hostfsRefresh(dir);
    return 0;
  },
  unlink(dir, name) {
    const victim = lookupNode(dir, name);
    if (typeof victim === "number") return victim;
    const r = chanOf(dir).call(HostFsOp.UNLINK, hostfsNode(dir).node, { name1: name, arg0: isDir(victim.mode) ? 1 : 0 });
    if (r < 0) return r;
    dropLink(victim);
    hostfsRefresh(dir);
    return 0;
  },
  rename(oldDir, oldName, newDir, newName) {
    const src = lookupNode(oldDir, oldName);
    if (typeof src === "number") return src;
    const victim = lookupNode(newDir, newName);
    const chan = chanOf(oldDir);
    const r = chan.call(HostFsOp.RENAME, hostfsNode(oldDir).node, { arg0: hostfsNode(newDir).node, name1: oldName, name2: newName });
    if (r < 0) return r;
    if (typeof victim !== "number" && victim !== src) dropLink(victim);
    if (isDir(src.mode)) src.parent = newDir;
    hostfsRefresh(oldDir);
    if (newDir !== oldDir) hostfsRefresh(newDir);
    return 0;
  },
  iterate(dir, pos, emit) {
    if (pos <= 0) {
      if (!emit(".", dir.ino, S_IFDIR >>> 12, 1)) return;
      pos = 1;
    }
    if (pos <= 1) {
      const parent = dir.parent ?? dir;
      if (!emit("..", parent.ino, S_IFDIR >>> 12, 2)) return;
      pos = 2;
    }
    const chan = chanOf(dir);
    const cap = Math.min(chan.bounceBytes, 16384);
    for (;;) {
      const n = chan.call(HostFsOp.READDIR, hostfsNode(dir).node, { offset: pos - 2, count: cap, pages: chan.pagesFor(cap) });
      if (n <= 0) return;
      const buf = chan.readBounce(n);
      const v = new DataView(buf.buffer);
      for (let at = 0; at + DIRENT_HEADER <= n; ) {
        const next = v.getUint32(at, true) + 2;
        const ino = v.getUint32(at + 4, true);
        const len = buf[at + 9];
        const name = String.fromCharCode(...buf.subarray(at + DIRENT_HEADER, at + DIRENT_HEADER + len));
        if (!emit(name, ino, buf[at + 8], next)) return;
        pos = next;
        at += DIRENT_HEADER + len;
      }
    }
  },
  isEmpty(dir) {
    const chan = chanOf(dir);
    const n = chan.call(HostFsOp.READDIR, hostfsNode(dir).node, { offset: 0, count: 4096, pages: chan.pagesFor(4096) });
    return n === 0;
  },
  setattr(inode, mode) {
    return setattrMode(inode, mode);
  },
});

function setattrMode(inode: Inode, mode: number): number {
  const chan = chanOf(inode);
  const r = chan.call(HostFsOp.SETATTR, hostfsNode(inode).node, { arg0: SETATTR_MODE, arg1: mode & 0o7777 });
  if (r < 0) return r;
  applyAttr(inode, chan.attr());
  return 0;
}

const fileOps: InodeOps = named("hostfs.fileOps", {
  truncate(inode, size) {
    const chan = chanOf(inode);
    const r = chan.call(HostFsOp.SETATTR, hostfsNode(inode).node, { arg0: SETATTR_SIZE, offset: size });
    if (r < 0) return r;
    applyAttr(inode, chan.attr());
    hostfsNode(inode).cache?.truncated(size);
    return 0;
  },
  setattr(inode, mode) {
    return setattrMode(inode, mode);
  },
});

const linkOps: InodeOps = named("hostfs.linkOps", {
  readlink(inode) {
    const chan = chanOf(inode);
    const n = chan.call(HostFsOp.READLINK, hostfsNode(inode).node, { count: 4096, pages: chan.pagesFor(4096) });
    if (n < 0) return n;
    return String.fromCharCode(...chan.readBounce(n));
  },
});

const dirFops: FileOps = named("hostfs.dirFops", {
  read: () => -Errno.EISDIR,
  write: () => -Errno.EISDIR,
  llseek(file: File, offset: number, whence: number): number {
    if (whence !== 0 && whence !== 1) return -Errno.EINVAL;
    const pos = (whence === 1 ? file.pos : 0) + offset;
    if (pos < 0) return -Errno.EINVAL;
    file.pos = pos;
    return pos;
  },
});

/** Host FIFOs, sockets and device nodes are visible but cannot be opened (the guest has no such host objects). */
const specialFops: FileOps = named("hostfs.specialFops", {
  open: () => -Errno.ENXIO,
});

/** Reads [pos, pos+dst.length) from the device into dst at dstOff: bytes read or -errno. */
function deviceRead(inode: Inode, pos: number, dst: Uint8Array, dstOff: number, len: number): number {
  const chan = chanOf(inode);
  let done = 0;
  while (done < len) {
    const want = Math.min(len - done, chan.bounceBytes);
    const n = chan.call(HostFsOp.READ, hostfsNode(inode).node, { offset: pos + done, count: want, pages: chan.pagesFor(want) });
    if (n < 0) return done > 0 ? done : n;
    if (n === 0) break;
    dst.set(chan.readBounce(n), dstOff + done);
    done += n;
    if (n < want) break;
  }
  return done;
}

const fileFops: FileOps = named("hostfs.fileFops", {
  open(inode, file) {
    const chan = chanOf(inode);
    const r = chan.call(HostFsOp.OPEN, hostfsNode(inode).node, { arg0: file.writable ? 1 : 0 });
    if (r < 0) return r;
    hostfsRefresh(inode);
    return 0;
  },
  read(file, dst) {
    const inode = file.inode;
    const cache = hostfsNode(inode).cache;
    if (cache === null || cache.cachedPages === 0) {
      const n = deviceRead(inode, file.pos, dst, 0, dst.length);
      if (n > 0) file.pos += n;
      if (file.pos > inode.size) inode.size = file.pos; // grown on the host
      return n;
    }
    // Some pages are cached: page by page, cached bytes from the cache, the rest from the host.
    const n = Math.max(0, Math.min(dst.length, inode.size - file.pos));
    let done = 0;
    while (done < n) {
      const p = file.pos + done;
      const idx = Math.floor(p / 4096);
      const off = p - idx * 4096;
      const chunk = Math.min(4096 - off, n - done);
      const pfn = cache.findPage(idx);
      if (pfn >= 0) cache.copyFrom(pfn, off, dst, done, chunk);
      else {
        const r = deviceRead(inode, p, dst, done, chunk);
        if (r < 0) return done > 0 ? (file.pos += done, done) : r;
        if (r < chunk) dst.fill(0, done + r, done + chunk);
      }
      done += chunk;
    }
    file.pos += done;
    return done;
  },
  write(file, src) {
    const inode = file.inode;
    const node = hostfsNode(inode);
    const chan = chanOf(inode);
    if ((file.flags & O_APPEND) !== 0) {
      hostfsRefresh(inode);
      file.pos = inode.size;
    }
    const oldSize = inode.size;
    let done = 0;
    while (done < src.length) {
      const part = src.subarray(done, done + chan.bounceBytes);
      chan.writeBounce(part);
      const n = chan.call(HostFsOp.WRITE, node.node, { offset: file.pos + done, count: part.length, pages: chan.pagesFor(part.length) });
      if (n < 0) {
        if (done === 0) return n;
        break;
      }
      applyAttr(inode, chan.attr());
      done += n;
      if (n < part.length) break;
    }
    if (done > 0 && node.cache !== null && node.cache.cachedPages > 0) updateCache(node.cache, oldSize, file.pos, src.subarray(0, done));
    file.pos += done;
    return done;
  },
  llseek: genericLlseek,
  release(file) {
    const inode = file.inode;
    const node = hostfsNode(inode);
    node.cache?.writeback();
    chanOf(inode).call(HostFsOp.CLOSE, node.node);
    if (inode.nlink === 0 && inode.openCount === 1) node.cache?.release(); // fput drops the last count after this
  },
  fsync(file) {
    const node = hostfsNode(file.inode);
    const w = node.cache?.writeback() ?? 0;
    const r = chanOf(file.inode).call(HostFsOp.FSYNC, node.node);
    return w < 0 ? w : r;
  },
});

/** Puts bytes written at pos into the cached pages they cover (zeroing stale bytes past the old end first). */
function updateCache(cache: HostfsPageCache, oldSize: number, pos: number, src: Uint8Array): void {
  if (pos + src.length > oldSize && oldSize % 4096 !== 0) {
    const tail = cache.findPage(Math.floor(oldSize / 4096));
    if (tail >= 0) cache.copyTo(tail, oldSize % 4096, new Uint8Array(4096 - (oldSize % 4096)));
  }
  for (let done = 0; done < src.length; ) {
    const p = pos + done;
    const idx = Math.floor(p / 4096);
    const off = p - idx * 4096;
    const chunk = Math.min(4096 - off, src.length - done);
    const pfn = cache.findPage(idx);
    if (pfn >= 0) cache.copyTo(pfn, off, src.subarray(done, done + chunk));
    done += chunk;
  }
}

/**
 * Reads page index of a hostfs file straight into the frame at physical
 * address pa (a page-cache fill); bytes past the end stay as they are (zero).
 * Returns bytes read or -errno.
 */
export function hostfsReadPage(inode: Inode, index: number, pa: number): number {
  const chan = chanOf(inode);
  return chan.call(HostFsOp.READ, hostfsNode(inode).node, { offset: index * 4096, count: 4096, pages: [pa] });
}

/** Writes len bytes of the frame at pa to page index of the file (writeback). Bytes written or -errno. */
export function hostfsWritePage(inode: Inode, index: number, pa: number, len: number): number {
  const chan = chanOf(inode);
  const r = chan.call(HostFsOp.WRITE, hostfsNode(inode).node, { offset: index * 4096, count: len, pages: [pa] });
  if (r >= 0) applyAttr(inode, chan.attr());
  return r;
}

/** The hostfs instance of share `index`; {sb} or -errno (the device refused to attach it). */
export function createHostfs(
  chan: HostFsChannel, index: number, dev: number, clock: FsClock,
): { sb: SuperBlock; guestPath: string } | number {
  const r = chan.call(HostFsOp.ATTACH, 0, { arg0: index });
  if (r < 0) return r;
  const attr = chan.attr();
  const share = chan.shareInfo();
  if ((attr.mode & S_IFMT) !== S_IFDIR) return -Errno.ENOTDIR;
  const sb = new SuperBlock("hostfs", dev, clock, HOSTFS_MAGIC);
  sb.readOnly = share.readOnly;
  sb.confineLinks = true;
  sb.fsInfo = { chan, inodes: new Map() } satisfies HostfsInfo;
  const root = inodeFromAttr(sb, attr);
  root.parent = root;
  sb.root = root;
  return { sb, guestPath: share.guestPath };
}

