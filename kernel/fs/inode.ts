// Inodes and superblocks: the in-memory objects every filesystem (ramfs,
// tmpfs, devfs, procfs) hands to the VFS, and the operation tables through
// which the VFS reaches the filesystem.

import type { FileOps } from "./file.ts";
import type { FileBacking } from "../mm/filemap.ts";
import type { Cred } from "./permission.ts";
import type { PageStore } from "./pagestore.ts";
import type { Pipe } from "./pipe.ts";
import type { ChrdevTable } from "./chrdev.ts";
import type { FilePageAllocator } from "./filepages.ts";

/** Where inode timestamps come from: the kernel's realtime clock (guest time). */
export interface FsClock {
  sec(): number;
  nsec(): number;
}

/** Directory operations a filesystem may provide; absent ones mean EPERM/ENOTDIR. */
export interface InodeOps {
  /** The child called name, or null when there is none. name is never "." or "..". */
  lookup?(dir: Inode, name: string): Inode | null;
  /** Make a child; the VFS has checked that name does not exist. Result: the inode or -errno. */
  create?(dir: Inode, name: string, mode: number, rdev: number, cred: Cred): Inode | number;
  symlink?(dir: Inode, name: string, target: string, cred: Cred): Inode | number;
  /** Add a new name for an existing non-directory inode of the same filesystem. */
  link?(dir: Inode, name: string, inode: Inode): number;
  /** Remove the name (directory or not; the VFS has checked type and emptiness). */
  unlink?(dir: Inode, name: string): number;
  /** Move an entry; the VFS has checked types/emptiness and removed nothing yet. */
  rename?(oldDir: Inode, oldName: string, newDir: Inode, newName: string): number;
  /**
   * Emit entries from position pos (0 and 1 are "." and ".."): emit returns false
   * when the caller's buffer is full, and that entry must be offered again next call.
   */
  iterate?(dir: Inode, pos: number, emit: (name: string, ino: number, dtype: number, nextPos: number) => boolean): void;
  /** The target text of a symlink. */
  readlink?(inode: Inode): string | number;
  /** Change the size of a regular file. */
  truncate?(inode: Inode, size: number): number;
  /** True if the directory has no entries besides . and .. */
  isEmpty?(dir: Inode): boolean;
  /** chmod for file systems that keep modes elsewhere (hostfs): set the permission bits; 0 or -errno. */
  setattr?(inode: Inode, mode: number): number;
}

/** One mounted filesystem instance. */
export class SuperBlock {
  root!: Inode;
  private nextIno = 1;
  /** Page and inode limits (tmpfs) and usage counters; Infinity = unlimited. */
  maxPages = Infinity;
  maxInodes = Infinity;
  usedPages = 0;
  usedInodes = 0;
  readOnly = false;
  /** Symlinks here may not lead out of the mount: absolute targets and ".." past its root give EACCES (hostfs). */
  confineLinks = false;
  /** Where regular files' pages come from (ramfs/tmpfs; null for file systems without stored files). */
  pages: FilePageAllocator | null = null;
  /** The kernel's character-device drivers, for device inodes on this filesystem. */
  chrdevs: ChrdevTable | null = null;
  /** The file system's own state (Linux's s_fs_info): hostfs keeps its channel and inode table here. */
  fsInfo: unknown = null;

  constructor(
    readonly type: string,
    readonly dev: number,
    readonly clock: FsClock,
    readonly magic: number,
  ) {}

  allocIno(): number {
    return this.nextIno++;
  }
}

/** A file of any type, owned by its superblock. Fields follow struct inode. */
export class Inode {
  nlink = 1;
  uid = 0;
  gid = 0;
  size = 0;
  /** st_blocks as a file system keeping files elsewhere reports it (hostfs); -1: count the stored pages. */
  blocks = -1;
  rdev = 0;
  atimeSec = 0;
  atimeNsec = 0;
  mtimeSec = 0;
  mtimeNsec = 0;
  ctimeSec = 0;
  ctimeNsec = 0;
  /** For directories: the parent directory in the same filesystem (root: itself). */
  parent: Inode | null = null;
  /** Filesystem-private payloads (one is used, by type). */
  entries: Map<string, DirEntry> | null = null;
  data: PageStore | null = null;
  target: string | null = null;
  pipe: Pipe | null = null;
  priv: unknown = null;
  /** The mm's view of the file, made on its first mmap or exec (kernel/filemap-bridge.ts; Linux's i_mapping); null before and after eviction. */
  mmBacking: FileBacking | null = null;
  /** Open File objects referring to this inode (for unlinked-but-open files). */
  openCount = 0;

  constructor(
    readonly sb: SuperBlock,
    readonly ino: number,
    public mode: number,
    public iop: InodeOps,
    public fop: FileOps,
  ) {
    this.touch(true, true, true);
  }

  /** Set the chosen timestamps to the superblock clock's now. */
  touch(a: boolean, m: boolean, c: boolean): void {
    const s = this.sb.clock.sec();
    const ns = this.sb.clock.nsec();
    if (a) {
      this.atimeSec = s;
      this.atimeNsec = ns;
    }
    if (m) {
      this.mtimeSec = s;
      this.mtimeNsec = ns;
    }
    if (c) {
      this.ctimeSec = s;
      this.ctimeNsec = ns;
    }
  }
}

/** A directory entry of a ramfs-style directory; cookie orders getdents positions. */
export interface DirEntry {
  inode: Inode;
  cookie: number;
}
