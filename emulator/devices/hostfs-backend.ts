// The host side of the host-folder device: what the device asks of the
// folder it shares. The CLI implements it over Node's fs (cli/hostfs-node.ts);
// a web page could implement it over an in-browser store. Every call is
// synchronous, so a run's guest cycles depend only on the folder's contents.
//
// Paths are arrays of components relative to the shared folder; the device
// passes only real names (no "", ".", ".." and no "/" or NUL inside), and a
// backend must never let the host follow a symlink in any component: the
// guest kernel follows symlinks itself (readlink) within the mount.

/** What lstat reports, in host terms (times in seconds and nanoseconds). */
export interface HostStat {
  mode: number;
  nlink: number;
  size: number;
  blocks: number;
  /** Identity of the file on the host: the device gives one node per (dev, ino). */
  dev: number;
  ino: number;
  rdev: number;
  atimeSec: number;
  atimeNsec: number;
  mtimeSec: number;
  mtimeNsec: number;
  ctimeSec: number;
  ctimeNsec: number;
}

/** A name in a directory, with its type bits (S_IFMT part of the mode). */
export interface HostDirEntry {
  name: string;
  type: number;
}

/**
 * A shared host folder. Results are values or a negative Linux errno
 * (-ENOENT, -EACCES, ...); no method throws.
 */
export interface HostFsBackend {
  lstat(path: readonly string[]): HostStat | number;
  /** Entries besides "." and "..", in a stable order. */
  readdir(path: readonly string[]): HostDirEntry[] | number;
  /**
   * Opens a regular file (never through a symlink): a handle >= 0 for
   * read/write/ftruncate/fsync/close. create: O_CREAT|O_EXCL with mode.
   */
  open(path: readonly string[], write: boolean, create: boolean, mode: number): number;
  close(handle: number): void;
  read(handle: number, pos: number, dst: Uint8Array): number;
  write(handle: number, pos: number, src: Uint8Array): number;
  ftruncate(handle: number, size: number): number;
  fsync(handle: number): number;
  fstat(handle: number): HostStat | number;
  mkdir(path: readonly string[], mode: number): number;
  rmdir(path: readonly string[]): number;
  unlink(path: readonly string[]): number;
  rename(from: readonly string[], to: readonly string[]): number;
  symlink(target: string, path: readonly string[]): number;
  readlink(path: readonly string[]): string | number;
  link(from: readonly string[], to: readonly string[]): number;
  /** Permission bits of a non-symlink. */
  chmod(path: readonly string[], mode: number): number;
  /** Times in seconds (fractional); null leaves one unchanged. */
  utimes(path: readonly string[], atime: number | null, mtime: number | null): number;
}

/** One folder the device shares: the backend, the guest path to mount it on, read-only or not. */
export interface HostShare {
  backend: HostFsBackend;
  /** Absolute guest path (the mount tag). */
  guestPath: string;
  readOnly: boolean;
}
