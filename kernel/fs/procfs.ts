// procfs: a filesystem whose directories and file contents are produced by
// callbacks when they are looked up, listed or opened. The process layer adds
// /proc/<pid>/... and /proc/self through a dynamic entry provider; a file's
// text is generated once at open (a snapshot, as seq_file does for small files)
// and read from that snapshot. Inode numbers are stable per path.

import { Errno } from "../errno.ts";
import { Inode, SuperBlock } from "./inode.ts";
import type { FsClock, InodeOps } from "./inode.ts";
import type { File, FileOps } from "./file.ts";
import { SEEK_SET, SEEK_CUR } from "./file.ts";
import { S_IFDIR, S_IFREG, S_IFLNK, modeToDtype } from "./mode.ts";

export const PROC_SUPER_MAGIC = 0x9fa0;

/** A node of the /proc tree. Exactly one of the shapes applies, by kind. */
export type ProcNode = ProcDirNode | ProcFileNode | ProcLinkNode;

export interface ProcCommon {
  /** Permission bits (defaults: dir 0555, file 0444, link 0777). */
  perm?: number;
  uid?: number;
  gid?: number;
}
export interface ProcDirNode extends ProcCommon {
  kind: "dir";
  /** The entries, in listing order; called on every lookup and readdir. */
  entries(): Iterable<[string, ProcNode]>;
  /** Faster lookup of one name (optional; defaults to scanning entries()). */
  lookup?(name: string): ProcNode | null;
}
export interface ProcFileNode extends ProcCommon {
  kind: "file";
  /** The file's full contents, produced at open. Strings are byte strings (latin1). */
  read(): string | Uint8Array;
  /** Optional write handler: bytes written at once; result count or -errno. */
  write?(data: Uint8Array): number;
}
export interface ProcLinkNode extends ProcCommon {
  kind: "link";
  /** The link target, or null if it vanished (-ENOENT). */
  target(): string | null;
}

/** A directory with fixed entries plus dynamic providers (the root, /proc/<pid>). */
export class ProcDir implements ProcDirNode {
  readonly kind = "dir";
  uid?: number;
  gid?: number;
  private readonly fixed = new Map<string, ProcNode>();
  private readonly providers: (() => Iterable<[string, ProcNode]>)[] = [];

  constructor(public perm = 0o555) {}

  /** Add (or replace) a fixed entry. */
  add(name: string, node: ProcNode): this {
    this.fixed.set(name, node);
    return this;
  }

  /** Add entries computed at each listing (e.g. one directory per live pid). */
  addProvider(fn: () => Iterable<[string, ProcNode]>): this {
    this.providers.push(fn);
    return this;
  }

  *entries(): Iterable<[string, ProcNode]> {
    yield* this.fixed;
    for (const p of this.providers) yield* p();
  }

  lookup(name: string): ProcNode | null {
    const f = this.fixed.get(name);
    if (f !== undefined) return f;
    for (const p of this.providers) for (const [n, node] of p()) if (n === name) return node;
    return null;
  }
}

export const procFile = (read: () => string | Uint8Array, perm = 0o444): ProcFileNode => ({ kind: "file", read, perm });
export const procLink = (target: () => string | null): ProcLinkNode => ({ kind: "link", target });

interface ProcPriv {
  node: ProcNode;
  path: string;
}

function toBytes(x: string | Uint8Array): Uint8Array {
  if (typeof x !== "string") return x;
  const out = new Uint8Array(x.length);
  for (let i = 0; i < x.length; i++) out[i] = x.charCodeAt(i) & 0xff;
  return out;
}

export class Procfs {
  readonly sb: SuperBlock;
  readonly root: ProcDir;
  private readonly inodes = new Map<string, Inode>();

  constructor(dev: number, clock: FsClock, root = new ProcDir()) {
    this.sb = new SuperBlock("proc", dev, clock, PROC_SUPER_MAGIC);
    this.root = root;
    const r = this.inodeFor("", root, null);
    this.sb.root = r;
  }

  /** Forget cached inodes under path (a process died): "/<pid>" drops "/<pid>" and below. */
  invalidate(path: string): void {
    for (const key of [...this.inodes.keys()]) if (key === path || key.startsWith(path + "/")) this.inodes.delete(key);
  }

  private inodeFor(path: string, node: ProcNode, parent: Inode | null): Inode {
    const type = node.kind === "dir" ? S_IFDIR : node.kind === "file" ? S_IFREG : S_IFLNK;
    const perm = node.perm ?? (node.kind === "dir" ? 0o555 : node.kind === "file" ? 0o444 : 0o777);
    let inode = this.inodes.get(path);
    if (inode === undefined || (inode.mode & 0o170000) !== type) {
      inode = new Inode(this.sb, this.sb.allocIno(), type | perm, this.iops, this.fops);
      this.inodes.set(path, inode);
    }
    inode.mode = type | perm;
    inode.uid = node.uid ?? 0;
    inode.gid = node.gid ?? 0;
    inode.nlink = node.kind === "dir" ? 2 : 1;
    inode.parent = node.kind === "dir" ? parent ?? inode : null;
    inode.priv = { node, path } satisfies ProcPriv;
    return inode;
  }

  private readonly iops: InodeOps = {
    lookup: (dir, name) => {
      const { node, path } = dir.priv as ProcPriv;
      if (node.kind !== "dir") return null;
      let child: ProcNode | null = null;
      if (node.lookup !== undefined) child = node.lookup(name);
      else for (const [n, c] of node.entries()) if (n === name) child = c;
      if (child === null) {
        this.invalidate(`${path}/${name}`);
        return null;
      }
      return this.inodeFor(`${path}/${name}`, child, dir);
    },
    iterate: (dir, pos, emit) => {
      const { node, path } = dir.priv as ProcPriv;
      if (node.kind !== "dir") return;
      if (pos <= 0 && !emit(".", dir.ino, modeToDtype(dir.mode), 1)) return;
      if (pos <= 1) {
        const parent = dir.parent ?? dir;
        if (!emit("..", parent.ino, modeToDtype(parent.mode), 2)) return;
      }
      let i = 2;
      for (const [name, child] of node.entries()) {
        if (i >= pos) {
          const inode = this.inodeFor(`${path}/${name}`, child, dir);
          if (!emit(name, inode.ino, modeToDtype(inode.mode), i + 1)) return;
        }
        i++;
      }
    },
    readlink: (inode) => {
      const { node } = inode.priv as ProcPriv;
      if (node.kind !== "link") return -Errno.EINVAL;
      return node.target() ?? -Errno.ENOENT;
    },
    isEmpty: () => false,
  };

  private readonly fops: FileOps = {
    open: (inode: Inode, file: File): number => {
      const { node } = inode.priv as ProcPriv;
      if (node.kind === "file") file.priv = file.readable ? toBytes(node.read()) : new Uint8Array(0);
      return 0;
    },
    read: (file, dst) => {
      const { node } = file.inode.priv as ProcPriv;
      if (node.kind === "dir") return -Errno.EISDIR;
      const data = file.priv as Uint8Array;
      if (file.pos >= data.length) return 0;
      const n = Math.min(dst.length, data.length - file.pos);
      dst.set(data.subarray(file.pos, file.pos + n));
      file.pos += n;
      return n;
    },
    write: (file, src) => {
      const { node } = file.inode.priv as ProcPriv;
      if (node.kind !== "file" || node.write === undefined) return -Errno.EIO;
      return node.write(src);
    },
    llseek: (file, offset, whence) => {
      if (whence !== SEEK_SET && whence !== SEEK_CUR) return -Errno.EINVAL;
      const pos = (whence === SEEK_CUR ? file.pos : 0) + offset;
      if (pos < 0) return -Errno.EINVAL;
      file.pos = pos;
      return pos;
    },
  };
}
