// The host side of `-v HOSTDIR:/GUESTDIR[:ro]`: a host-folder backend over
// Node's synchronous fs (emulator/devices/hostfs-backend.ts). Node has no
// openat, so every call first checks each directory on the way with lstat
// (a symlink or a non-directory there ends the call with ELOOP or ENOTDIR),
// then acts on the last component with calls that do not follow a symlink
// there (lstat, O_NOFOLLOW, lutimes, rename, unlink, link, readlink).
// Names are bytes: components travel as latin1 strings and become Buffers.
// What this does not stop: a host process swapping a checked directory for a
// symlink between the check and the call (docs/hostfs.md).

import {
  closeSync, constants, fstatSync, fsyncSync, ftruncateSync, linkSync, lstatSync, lutimesSync, mkdirSync, openSync,
  readSync, readdirSync, readlinkSync, renameSync, rmdirSync, symlinkSync, unlinkSync, writeSync, chmodSync, statSync,
  type BigIntStats,
} from "node:fs";
import { resolve } from "node:path";
import type { HostDirEntry, HostFsBackend, HostStat } from "../emulator/devices/hostfs-backend.ts";
import { LinuxErrno } from "../emulator/devices/hostfs-protocol.ts";
import { UsageError, type VolumeSpec } from "./options.ts";

const S_IFMT = 0o170000, S_IFDIR = 0o040000, S_IFREG = 0o100000, S_IFLNK = 0o120000;

/** A thrown Node fs error as a negative Linux errno (EIO for anything unknown). */
function errnoOf(e: unknown): number {
  const code = (e as { code?: string }).code ?? "";
  return -((LinuxErrno as Record<string, number>)[code] ?? LinuxErrno.EIO);
}

function toStat(s: BigIntStats): HostStat {
  const sec = (ns: bigint) => Number(ns / 1_000_000_000n);
  const nsec = (ns: bigint) => Number(ns % 1_000_000_000n);
  return {
    mode: Number(s.mode), nlink: Number(s.nlink), size: Number(s.size), blocks: Number(s.blocks),
    dev: Number(s.dev), ino: Number(s.ino), rdev: Number(s.rdev),
    atimeSec: sec(s.atimeNs), atimeNsec: nsec(s.atimeNs),
    mtimeSec: sec(s.mtimeNs), mtimeNsec: nsec(s.mtimeNs),
    ctimeSec: sec(s.ctimeNs), ctimeNsec: nsec(s.ctimeNs),
  };
}

/** A Node fs backend rooted at the directory `root` (an existing directory). */
export class NodeHostFs implements HostFsBackend {
  private readonly root: Buffer;

  constructor(root: string) {
    this.root = Buffer.from(resolve(root), "utf8");
  }

  /** The host path of comps after checking every directory before the last with lstat; -errno otherwise. */
  private at(comps: readonly string[]): Buffer | number {
    let p = this.root;
    for (let i = 0; i < comps.length; i++) {
      const c = comps[i];
      if (c === "" || c === "." || c === ".." || c.includes("/") || c.includes("\0")) return -LinuxErrno.EINVAL;
      p = Buffer.concat([p, Buffer.from("/"), Buffer.from(c, "latin1")]);
      if (i === comps.length - 1) break;
      try {
        const t = lstatSync(p).mode & S_IFMT;
        if (t === S_IFLNK) return -LinuxErrno.ELOOP;
        if (t !== S_IFDIR) return -LinuxErrno.ENOTDIR;
      } catch (e) {
        return errnoOf(e);
      }
    }
    return p;
  }

  private run(comps: readonly string[], fn: (p: Buffer) => void): number {
    const p = this.at(comps);
    if (typeof p === "number") return p;
    try {
      fn(p);
      return 0;
    } catch (e) {
      return errnoOf(e);
    }
  }

  lstat(path: readonly string[]): HostStat | number {
    const p = this.at(path);
    if (typeof p === "number") return p;
    try {
      return toStat(lstatSync(p, { bigint: true }));
    } catch (e) {
      return errnoOf(e);
    }
  }

  readdir(path: readonly string[]): HostDirEntry[] | number {
    const p = this.at(path);
    if (typeof p === "number") return p;
    try {
      if ((lstatSync(p).mode & S_IFMT) !== S_IFDIR) return -LinuxErrno.ENOTDIR;
      const names = readdirSync(p, { encoding: "buffer" }).map((b) => b.toString("latin1")).sort();
      const out: HostDirEntry[] = [];
      for (const name of names) {
        let type = 0;
        try {
          type = lstatSync(Buffer.concat([p, Buffer.from("/"), Buffer.from(name, "latin1")])).mode & S_IFMT;
        } catch {
          continue; // gone since the listing
        }
        out.push({ name, type });
      }
      return out;
    } catch (e) {
      return errnoOf(e);
    }
  }

  open(path: readonly string[], write: boolean, create: boolean, mode: number): number {
    const p = this.at(path);
    if (typeof p === "number") return p;
    let flags = (write ? constants.O_RDWR : constants.O_RDONLY) | constants.O_NOFOLLOW | constants.O_NONBLOCK;
    if (create) flags |= constants.O_CREAT | constants.O_EXCL;
    let fd: number;
    try {
      fd = openSync(p, flags, mode);
    } catch (e) {
      return errnoOf(e);
    }
    try {
      const t = fstatSync(fd).mode & S_IFMT;
      if (t === S_IFREG) return fd;
      closeSync(fd);
      return t === S_IFDIR ? -LinuxErrno.EISDIR : -LinuxErrno.EINVAL;
    } catch (e) {
      closeSync(fd);
      return errnoOf(e);
    }
  }

  close(handle: number): void {
    try {
      closeSync(handle);
    } catch {
      // already closed: nothing to give back
    }
  }

  read(handle: number, pos: number, dst: Uint8Array): number {
    try {
      let done = 0;
      while (done < dst.length) {
        const n = readSync(handle, dst, done, dst.length - done, pos + done);
        if (n === 0) break;
        done += n;
      }
      return done;
    } catch (e) {
      return errnoOf(e);
    }
  }

  write(handle: number, pos: number, src: Uint8Array): number {
    try {
      let done = 0;
      while (done < src.length) done += writeSync(handle, src, done, src.length - done, pos + done);
      return done;
    } catch (e) {
      return errnoOf(e);
    }
  }

  ftruncate(handle: number, size: number): number {
    try {
      ftruncateSync(handle, size);
      return 0;
    } catch (e) {
      return errnoOf(e);
    }
  }

  fsync(handle: number): number {
    try {
      fsyncSync(handle);
      return 0;
    } catch (e) {
      return errnoOf(e);
    }
  }

  fstat(handle: number): HostStat | number {
    try {
      return toStat(fstatSync(handle, { bigint: true }));
    } catch (e) {
      return errnoOf(e);
    }
  }

  mkdir(path: readonly string[], mode: number): number {
    return this.run(path, (p) => mkdirSync(p, { mode }));
  }

  rmdir(path: readonly string[]): number {
    return this.run(path, (p) => rmdirSync(p));
  }

  unlink(path: readonly string[]): number {
    return this.run(path, (p) => unlinkSync(p));
  }

  rename(from: readonly string[], to: readonly string[]): number {
    const a = this.at(from);
    if (typeof a === "number") return a;
    return this.run(to, (b) => renameSync(a, b));
  }

  symlink(target: string, path: readonly string[]): number {
    return this.run(path, (p) => symlinkSync(Buffer.from(target, "latin1"), p));
  }

  readlink(path: readonly string[]): string | number {
    const p = this.at(path);
    if (typeof p === "number") return p;
    try {
      return readlinkSync(p, { encoding: "buffer" }).toString("latin1");
    } catch (e) {
      return errnoOf(e);
    }
  }

  link(from: readonly string[], to: readonly string[]): number {
    const a = this.at(from);
    if (typeof a === "number") return a;
    return this.run(to, (b) => linkSync(a, b));
  }

  chmod(path: readonly string[], mode: number): number {
    return this.run(path, (p) => {
      // chmod(2) follows a symlink; Linux refuses to change a symlink's own mode.
      if ((lstatSync(p).mode & S_IFMT) === S_IFLNK) throw Object.assign(new Error("symlink"), { code: "EOPNOTSUPP" });
      chmodSync(p, mode);
    });
  }

  utimes(path: readonly string[], atime: number | null, mtime: number | null): number {
    return this.run(path, (p) => {
      const st = lstatSync(p);
      lutimesSync(p, atime ?? st.atimeMs / 1000, mtime ?? st.mtimeMs / 1000);
    });
  }
}

/** Checks that the host directory of spec exists and is a directory. Throws UsageError. */
export function checkVolume(spec: VolumeSpec): void {
  let isDir: boolean;
  try {
    isDir = statSync(spec.hostDir).isDirectory();
  } catch (e) {
    const code = (e as { code?: string }).code;
    throw new UsageError(`-v: cannot share '${spec.hostDir}': ${code === "ENOENT" ? "no such directory" : code ?? String(e)}`);
  }
  if (!isDir) throw new UsageError(`-v: cannot share '${spec.hostDir}': not a directory`);
}
