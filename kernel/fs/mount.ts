// The mount table: which filesystem instance covers which directory. A Path
// (mount + inode) names a place in the tree; crossing into a mounted-on
// directory continues at the mounted filesystem's root, and ".." at a
// filesystem root continues from the directory it is mounted on.

import { Errno } from "../errno.ts";
import type { Inode, SuperBlock } from "./inode.ts";
import { isDir } from "./mode.ts";

export class Mount {
  constructor(
    readonly sb: SuperBlock,
    /** The mount containing the mountpoint; null for the root mount. */
    readonly parent: Mount | null,
    /** The directory (in parent) this filesystem covers; null for the root mount. */
    readonly mountpoint: Inode | null,
  ) {}

  get root(): Inode {
    return this.sb.root;
  }
}

/** A place in the file tree. */
export interface Path {
  mnt: Mount;
  inode: Inode;
}

export function samePath(a: Path, b: Path): boolean {
  return a.mnt === b.mnt && a.inode === b.inode;
}

/** All mounts of one namespace; the root mount is fixed at construction. */
export class MountTable {
  readonly rootMount: Mount;
  private readonly covered = new Map<Inode, Mount>();
  private readonly all: Mount[] = [];

  constructor(rootSb: SuperBlock) {
    this.rootMount = new Mount(rootSb, null, null);
    this.all.push(this.rootMount);
  }

  get rootPath(): Path {
    return { mnt: this.rootMount, inode: this.rootMount.root };
  }

  /** Mount sb on the directory at. Result 0, -ENOTDIR, or -EBUSY (already covered or a root). */
  mount(sb: SuperBlock, at: Path): number {
    if (!isDir(at.inode.mode)) return -Errno.ENOTDIR;
    if (this.covered.has(at.inode)) return -Errno.EBUSY;
    if (this.all.some((m) => m.sb === sb)) return -Errno.EBUSY;
    const m = new Mount(sb, at.mnt, at.inode);
    this.covered.set(at.inode, m);
    this.all.push(m);
    return 0;
  }

  /** Remove the mount whose root is at (the path as seen after crossing). 0, -EINVAL or -EBUSY. */
  umount(at: Path, busy: (m: Mount) => boolean = () => false): number {
    const m = at.mnt;
    if (m.parent === null || at.inode !== m.root) return -Errno.EINVAL;
    if (this.all.some((o) => o.parent === m) || busy(m)) return -Errno.EBUSY;
    this.covered.delete(m.mountpoint!);
    this.all.splice(this.all.indexOf(m), 1);
    return 0;
  }

  /** The mount covering directory inode, if any. */
  mountedOn(inode: Inode): Mount | undefined {
    return this.covered.get(inode);
  }

  /** Follow mounts stacked on p (only one level is allowed, but loop anyway). */
  cross(p: Path): Path {
    let m = this.covered.get(p.inode);
    while (m !== undefined) {
      p = { mnt: m, inode: m.root };
      m = this.covered.get(p.inode);
    }
    return p;
  }

  mounts(): readonly Mount[] {
    return this.all;
  }
}
