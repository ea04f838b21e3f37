// Files between the host and the guest's file tree, done by the host on the
// kernel's VFS as root (what the web page's upload and download buttons use).
// Everything goes through the ordinary VFS entry points (openFile, vfsWrite,
// vfsRead, rename, unlink), so the data lands in the same page cache a guest
// write(2) fills, file-system limits (tmpfs size=, RAM) apply, and mappings see it.
//
// An upload is written to a temporary name in the target directory and
// renamed into place at commit, as a careful uploader does: the guest sees
// either the old file or the whole new one, never a partial file. A process
// that already has the old file open keeps the old inode (rename(2) semantics).
// A failed or aborted upload removes its temporary file.
//
// These calls must run between machine slices (never inside a hypercall); the
// caller picks the cycle, like typed input. All results are values or -errno;
// nothing here throws for a guest-side error.

import type { Kernel } from "../kernel/kernel.ts";
import { Errno } from "../kernel/errno.ts";
import { vfsOf } from "../kernel/vfs.ts";
import { FsContext, type FsCaller } from "../kernel/fs/fscontext.ts";
import { FdTable } from "../kernel/fs/fdtable.ts";
import { ROOT_CRED } from "../kernel/fs/permission.ts";
import { openFile, lookupAt, AT_FDCWD } from "../kernel/fs/open.ts";
import { vfsRead, vfsWrite } from "../kernel/fs/readwrite.ts";
import { sysRenameat, sysUnlinkat } from "../kernel/fs/dirops.ts";
import { fput, type File, O_CREAT, O_EXCL, O_WRONLY, O_RDONLY, O_NOFOLLOW } from "../kernel/fs/file.ts";
import { isDir, isReg } from "../kernel/fs/mode.ts";
import { NAME_MAX } from "../kernel/fs/namei.ts";
import { WOULD_BLOCK } from "../kernel/wait.ts";

/** Anything that has the running kernel (a VmalabSystem, the web worker's Guest); read live, a reset replaces it. */
export interface GuestFileHost {
  readonly kernel: Kernel | null;
}

/** Mode of uploaded files (owner root). */
export const UPLOAD_MODE = 0o644;
/** Default read size of GuestFileReader.read. */
export const READ_CHUNK = 1 << 20;

/**
 * A root caller of the kernel's VFS with the global root as root and cwd,
 * umask 0, no task, never blocking. Built per call: it holds no descriptors
 * (files are used through the File returned by openFile), so nothing needs
 * to outlive the call or be kept per kernel.
 */
function rootCaller(k: Kernel): FsCaller {
  const ns = vfsOf(k).ns;
  const fs = new FsContext(ns, ns.rootPath, ns.rootPath);
  fs.umask = 0;
  return { fs, files: new FdTable(), cred: ROOT_CRED, waiter: null, user: null, pid: 0, pgrp: 0, sid: 0 };
}

function kernelOf(host: GuestFileHost): Kernel | number {
  return host.kernel ?? -Errno.ENOSYS;
}

/** Splits an absolute path into its directory and last name; -EINVAL if relative, -EISDIR if it names a directory ("/", "x/", "."). */
function splitPath(path: string): { dir: string; name: string } | number {
  if (!path.startsWith("/") || path.includes("\0")) return -Errno.EINVAL;
  if (path.endsWith("/")) return -Errno.EISDIR;
  const i = path.lastIndexOf("/");
  const name = path.slice(i + 1);
  if (name === "." || name === "..") return -Errno.EISDIR;
  if (name.length > NAME_MAX) return -Errno.ENAMETOOLONG;
  return { dir: path.slice(0, i) || "/", name };
}

let uploadSeq = 0;

/** A file being uploaded: chunks go to a temporary file that commit() renames to the target. */
export class GuestFileWriter {
  private file: File | null;
  private bytes = 0;

  private constructor(
    private readonly host: GuestFileHost,
    private readonly kernel: Kernel,
    file: File,
    /** The temporary file's path (in the target's directory). */
    readonly tempPath: string,
    /** The path the file gets at commit. */
    readonly path: string,
  ) {
    this.file = file;
  }

  /**
   * Starts an upload to the absolute guest path `path`: checks the target
   * (its directory exists and is one; the target is not a directory) and
   * creates the temporary file, mode 0644, owner root. Returns the writer or
   * -errno (ENOENT, ENOTDIR, EISDIR, EACCES, EROFS, ENOSPC, EINVAL for a relative path,
   * ENOSYS when the guest has no kernel).
   */
  static open(host: GuestFileHost, path: string): GuestFileWriter | number {
    const k = kernelOf(host);
    if (typeof k === "number") return k;
    const parts = splitPath(path);
    if (typeof parts === "number") return parts;
    const caller = rootCaller(k);
    const dir = lookupAt(caller, AT_FDCWD, parts.dir, true);
    if (typeof dir === "number") return dir;
    if (!isDir(dir.inode.mode)) return -Errno.ENOTDIR;
    const existing = lookupAt(caller, AT_FDCWD, path, true);
    if (typeof existing !== "number" && isDir(existing.inode.mode)) return -Errno.EISDIR;
    const prefix = parts.dir === "/" ? "/" : `${parts.dir}/`;
    for (let tries = 0; tries < 100; tries++) {
      const tag = `.upload-${++uploadSeq}.`;
      const tempPath = prefix + tag + parts.name.slice(0, NAME_MAX - tag.length);
      const file = openFile(caller, AT_FDCWD, tempPath, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW, UPLOAD_MODE);
      if (file === -Errno.EEXIST) continue;
      if (typeof file === "number") return file;
      return new GuestFileWriter(host, k, file, tempPath, path);
    }
    return -Errno.EEXIST;
  }

  /** Bytes written so far. */
  get written(): number {
    return this.bytes;
  }

  /** True until commit or abort (or a failed write, which aborts). */
  get isOpen(): boolean {
    return this.file !== null;
  }

  /**
   * Appends chunk to the temporary file: 0, or -errno (ENOSPC when the file
   * system is full, ESTALE when the guest was reset, EBADF after close). On an
   * error the upload is aborted (the temporary file is removed).
   */
  write(chunk: Uint8Array): number {
    const file = this.file;
    if (file === null) return -Errno.EBADF;
    if (this.host.kernel !== this.kernel) return this.fail(-Errno.ESTALE);
    const caller = rootCaller(this.kernel);
    let off = 0;
    while (off < chunk.length) {
      const n = vfsWrite(caller, file, chunk.subarray(off));
      if (n === WOULD_BLOCK) return this.fail(-Errno.EAGAIN);
      if (n < 0) return this.fail(n);
      if (n === 0) return this.fail(-Errno.ENOSPC);
      off += n;
      this.bytes += n;
    }
    return 0;
  }

  /** Closes the temporary file and renames it to the target path: 0 or -errno (then aborted). */
  commit(): number {
    const file = this.file;
    if (file === null) return -Errno.EBADF;
    if (this.host.kernel !== this.kernel) return this.fail(-Errno.ESTALE);
    this.file = null;
    fput(file);
    const caller = rootCaller(this.kernel);
    const r = sysRenameat(caller, AT_FDCWD, this.tempPath, AT_FDCWD, this.path);
    if (r < 0) sysUnlinkat(caller, AT_FDCWD, this.tempPath, 0);
    return r;
  }

  /** Drops the upload: closes and removes the temporary file (nothing to do after commit). */
  abort(): void {
    const file = this.file;
    if (file === null) return;
    this.file = null;
    if (this.host.kernel !== this.kernel) return; // that kernel is gone, its files with it
    fput(file);
    sysUnlinkat(rootCaller(this.kernel), AT_FDCWD, this.tempPath, 0);
  }

  private fail(err: number): number {
    this.abort();
    return err;
  }
}

/** A guest file being downloaded, read in pieces from one open file. */
export class GuestFileReader {
  private file: File | null;
  private bytes = 0;

  private constructor(
    private readonly host: GuestFileHost,
    private readonly kernel: Kernel,
    file: File,
    /** Its size when opened (0 for files whose size is only known by reading, as in /proc). */
    readonly size: number,
  ) {
    this.file = file;
  }

  /**
   * Opens the absolute guest path for reading (following symlinks): the reader,
   * or -errno (ENOENT, ENOTDIR, EISDIR for a directory, EINVAL for a device,
   * FIFO or socket, EACCES, ENOSYS without a kernel).
   */
  static open(host: GuestFileHost, path: string): GuestFileReader | number {
    const k = kernelOf(host);
    if (typeof k === "number") return k;
    if (!path.startsWith("/") || path.includes("\0")) return -Errno.EINVAL;
    const caller = rootCaller(k);
    const p = lookupAt(caller, AT_FDCWD, path, true);
    if (typeof p === "number") return p;
    if (isDir(p.inode.mode)) return -Errno.EISDIR;
    if (!isReg(p.inode.mode)) return -Errno.EINVAL;
    const file = openFile(caller, AT_FDCWD, path, O_RDONLY, 0);
    if (typeof file === "number") return file;
    return new GuestFileReader(host, k, file, file.inode.size);
  }

  /** Bytes read so far. */
  get done(): number {
    return this.bytes;
  }

  /**
   * The next up to max bytes: an empty array at the end of the file, or -errno
   * (ESTALE when the guest was reset, EBADF after close). Reads see the file as
   * it is now: a guest that changes it between reads changes what is read, as with cp.
   */
  read(max = READ_CHUNK): Uint8Array | number {
    const file = this.file;
    if (file === null) return -Errno.EBADF;
    if (this.host.kernel !== this.kernel) {
      this.file = null;
      return -Errno.ESTALE;
    }
    const r = vfsRead(rootCaller(this.kernel), file, max);
    if (typeof r === "number") return r === WOULD_BLOCK ? -Errno.EAGAIN : r; // regular files never block
    this.bytes += r.length;
    return r;
  }

  /** Closes the file (safe to call twice). */
  close(): void {
    const file = this.file;
    if (file === null) return;
    this.file = null;
    if (this.host.kernel === this.kernel) fput(file);
  }
}

/** Writes the chunks to the guest path (temporary file + rename): 0 or -errno, and no file left behind on error. */
export function writeGuestFile(host: GuestFileHost, path: string, chunks: Iterable<Uint8Array>): number {
  const w = GuestFileWriter.open(host, path);
  if (typeof w === "number") return w;
  for (const c of chunks) {
    const r = w.write(c);
    if (r < 0) return r;
  }
  return w.commit();
}

/** The whole contents of the guest file at path, or -errno. */
export function readGuestFile(host: GuestFileHost, path: string): Uint8Array | number {
  const rd = GuestFileReader.open(host, path);
  if (typeof rd === "number") return rd;
  const parts: Uint8Array[] = [];
  let total = 0;
  try {
    for (;;) {
      const c = rd.read();
      if (typeof c === "number") return c;
      if (c.length === 0) break;
      parts.push(c);
      total += c.length;
    }
  } finally {
    rd.close();
  }
  const out = new Uint8Array(total);
  let off = 0;
  for (const p of parts) {
    out.set(p, off);
    off += p.length;
  }
  return out;
}
