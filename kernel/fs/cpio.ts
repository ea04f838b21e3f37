// The initramfs reader: unpacks cpio "newc" archives (magic 070701, or 070702
// with checksums, which are not verified) into the tree the caller sees, as
// Linux's init/initramfs.c does: regular files, directories, symlinks, device
// nodes and FIFOs with their mode/uid/gid/mtime, hard links by (ino, dev,
// mode) within one archive, "TRAILER!!!" ends an archive, NUL padding may
// separate concatenated archives, and later entries override earlier ones.
// A malformed archive yields {ok:false, offset, message}; nothing throws.

import { Errno } from "../errno.ts";
import type { FsCaller } from "./fscontext.ts";
import { openFile, sysMknodat, sysFchmodat, sysFchownat, lookupAt, AT_FDCWD, AT_SYMLINK_NOFOLLOW } from "./open.ts";
import { sysMkdirat, sysUnlinkat, sysSymlinkat, sysLinkat } from "./dirops.ts";
import { vfsWrite } from "./readwrite.ts";
import { fput, O_WRONLY, O_CREAT, O_TRUNC, O_LARGEFILE } from "./file.ts";
import { encodeDev, mkdev, S_IFMT, S_IFREG, S_IFDIR, S_IFLNK, S_IFCHR, S_IFBLK, S_IFIFO, S_IFSOCK, isDir } from "./mode.ts";
import { PATH_MAX } from "./namei.ts";

export const CPIO_HEADER_SIZE = 110;
const FIELDS = [
  "c_ino", "c_mode", "c_uid", "c_gid", "c_nlink", "c_mtime", "c_filesize",
  "c_devmajor", "c_devminor", "c_rdevmajor", "c_rdevminor", "c_namesize", "c_check",
] as const;

export interface CpioHeader {
  offset: number;
  ino: number;
  mode: number;
  uid: number;
  gid: number;
  nlink: number;
  mtime: number;
  filesize: number;
  devmajor: number;
  devminor: number;
  rdevmajor: number;
  rdevminor: number;
  name: string;
  /** Where the file data starts in the archive. */
  dataOffset: number;
}

export type CpioResult =
  | { ok: true; entries: number; archives: number; warnings: string[] }
  | { ok: false; offset: number; message: string };

const align4 = (n: number): number => (n + 3) & ~3;

function fail(offset: number, what: string): { ok: false; offset: number; message: string } {
  return { ok: false, offset, message: `${what} at offset ${offset} (0x${offset.toString(16)})` };
}

function hex8(data: Uint8Array, at: number): number {
  let v = 0;
  for (let i = 0; i < 8; i++) {
    const c = data[at + i];
    let d: number;
    if (c >= 0x30 && c <= 0x39) d = c - 0x30;
    else if (c >= 0x41 && c <= 0x46) d = c - 0x37;
    else if (c >= 0x61 && c <= 0x66) d = c - 0x57;
    else return -1;
    v = v * 16 + d;
  }
  return v;
}

/** Parse the header at offset (which must be in bounds and 4-aligned): the header or an error. */
export function parseCpioHeader(data: Uint8Array, offset: number): CpioHeader | { ok: false; offset: number; message: string } {
  if (offset + CPIO_HEADER_SIZE > data.length) return fail(offset, "truncated header");
  let magic = "";
  for (let i = 0; i < 6; i++) magic += String.fromCharCode(data[offset + i]);
  if (magic !== "070701" && magic !== "070702") return fail(offset, `bad magic ${JSON.stringify(magic)}`);
  const v: number[] = [];
  for (let i = 0; i < FIELDS.length; i++) {
    const at = offset + 6 + 8 * i;
    const x = hex8(data, at);
    if (x < 0) return fail(at, `bad hex in ${FIELDS[i]}`);
    v.push(x);
  }
  const namesize = v[11];
  const nameAt = offset + CPIO_HEADER_SIZE;
  if (namesize === 0) return fail(offset + 6 + 8 * 11, "empty name");
  if (namesize > PATH_MAX) return fail(offset + 6 + 8 * 11, "name longer than PATH_MAX");
  if (nameAt + namesize > data.length) return fail(nameAt, "name beyond the end of the archive");
  if (data[nameAt + namesize - 1] !== 0) return fail(nameAt + namesize - 1, "name not NUL-terminated");
  let name = "";
  for (let i = 0; i < namesize - 1; i++) name += String.fromCharCode(data[nameAt + i]);
  const dataOffset = align4(nameAt + namesize);
  if (dataOffset + v[6] > data.length) return fail(dataOffset, `data of ${JSON.stringify(name)} (${v[6]} bytes) beyond the end of the archive`);
  return {
    offset, ino: v[0], mode: v[1], uid: v[2], gid: v[3], nlink: v[4], mtime: v[5], filesize: v[6],
    devmajor: v[7], devminor: v[8], rdevmajor: v[9], rdevminor: v[10], name, dataOffset,
  };
}

/**
 * Unpack every archive in data into caller's tree (caller should be root with
 * cwd and root at "/"). Result: counts and per-entry warnings, or the first
 * structural error (nothing after it is unpacked; entries before it stay).
 */
export function unpackCpio(data: Uint8Array, caller: FsCaller): CpioResult {
  const savedUmask = caller.fs.umask;
  caller.fs.umask = 0;
  try {
    return unpack(data, caller);
  } finally {
    caller.fs.umask = savedUmask;
  }
}

function unpack(data: Uint8Array, caller: FsCaller): CpioResult {
  const warnings: string[] = [];
  const links = new Map<string, string>();
  const dirTimes: [string, number][] = [];
  let entries = 0;
  let archives = 0;
  let inArchive = false;
  let pos = 0;
  while (pos < data.length) {
    if (!inArchive) {
      while (pos < data.length && data[pos] === 0) pos++;
      if (pos >= data.length) break;
      if ((pos & 3) !== 0) return fail(pos, "broken padding between archives");
      inArchive = true;
      archives++;
    }
    const h = parseCpioHeader(data, pos);
    if ("ok" in h) return h;
    pos = align4(h.dataOffset + h.filesize);
    if (h.name === "TRAILER!!!") {
      links.clear();
      inArchive = false;
      continue;
    }
    entries++;
    const w = unpackEntry(caller, data, h, links, dirTimes);
    if (w !== null) warnings.push(`${JSON.stringify(h.name)} at offset ${h.offset}: ${w}`);
  }
  if (inArchive) warnings.push("archive without TRAILER!!! entry");
  for (let i = dirTimes.length - 1; i >= 0; i--) setMtime(caller, dirTimes[i][0], dirTimes[i][1]);
  return { ok: true, entries, archives, warnings };
}

function setMtime(caller: FsCaller, name: string, mtime: number): void {
  const p = lookupAt(caller, AT_FDCWD, name, false);
  if (typeof p === "number") return;
  p.inode.mtimeSec = mtime;
  p.inode.mtimeNsec = 0;
}

function errText(e: number): string {
  return `error ${-e}`;
}

/** Remove whatever is at name unless it is a directory and the new entry is one too. */
function cleanPath(caller: FsCaller, name: string, mode: number): number {
  const p = lookupAt(caller, AT_FDCWD, name, false);
  if (typeof p === "number") return 0;
  const oldType = p.inode.mode & S_IFMT;
  const newType = mode & S_IFMT;
  if (oldType === newType && (newType === S_IFDIR || newType === S_IFREG)) return 0;
  return sysUnlinkat(caller, AT_FDCWD, name, isDir(p.inode.mode) ? 0x200 : 0);
}

function applyAttrs(caller: FsCaller, name: string, h: CpioHeader, chmod: boolean): number {
  const o = sysFchownat(caller, AT_FDCWD, name, h.uid, h.gid, AT_SYMLINK_NOFOLLOW);
  if (o < 0) return o;
  if (chmod) {
    const m = sysFchmodat(caller, AT_FDCWD, name, h.mode & 0o7777);
    if (m < 0) return m;
  }
  return 0;
}

function writeData(caller: FsCaller, name: string, flags: number, h: CpioHeader, data: Uint8Array): number {
  const file = openFile(caller, AT_FDCWD, name, O_WRONLY | O_LARGEFILE | flags, h.mode & 0o7777);
  if (typeof file === "number") return file;
  let done = 0;
  let r = 0;
  while (done < h.filesize) {
    const n = vfsWrite(caller, file, data.subarray(h.dataOffset + done, h.dataOffset + h.filesize));
    if (n <= 0) {
      r = n < 0 ? n : -Errno.EIO;
      break;
    }
    done += n;
  }
  fput(file);
  return r;
}

function unpackEntry(caller: FsCaller, data: Uint8Array, h: CpioHeader, links: Map<string, string>, dirTimes: [string, number][]): string | null {
  const name = h.name;
  const type = h.mode & S_IFMT;
  const c = cleanPath(caller, name, h.mode);
  if (c < 0) return `cannot replace the existing entry (${errText(c)})`;
  switch (type) {
    case S_IFREG: {
      if (h.nlink >= 2) {
        const key = `${h.ino}:${h.devmajor}:${h.devminor}:${h.mode}`;
        const first = links.get(key);
        if (first !== undefined) {
          sysUnlinkat(caller, AT_FDCWD, name, 0);
          const l = sysLinkat(caller, AT_FDCWD, first, AT_FDCWD, name, 0);
          if (l < 0) return `hard link to ${JSON.stringify(first)} failed (${errText(l)})`;
          if (h.filesize > 0) {
            const wr = writeData(caller, name, 0, h, data);
            if (wr < 0) return `write failed (${errText(wr)})`;
          }
          setMtime(caller, name, h.mtime);
          return null;
        }
        links.set(key, name);
      }
      const wr = writeData(caller, name, O_CREAT | O_TRUNC, h, data);
      if (wr < 0) return `write failed (${errText(wr)})`;
      const a = applyAttrs(caller, name, h, true);
      if (a < 0) return `attributes (${errText(a)})`;
      setMtime(caller, name, h.mtime);
      return null;
    }
    case S_IFDIR: {
      const m = sysMkdirat(caller, AT_FDCWD, name, h.mode & 0o7777);
      if (m < 0 && m !== -Errno.EEXIST) return `mkdir failed (${errText(m)})`;
      const a = applyAttrs(caller, name, h, true);
      if (a < 0) return `attributes (${errText(a)})`;
      dirTimes.push([name, h.mtime]);
      return null;
    }
    case S_IFLNK: {
      if (h.filesize === 0 || h.filesize >= PATH_MAX) return "bad symlink target length";
      let target = "";
      for (let i = 0; i < h.filesize; i++) {
        const ch = data[h.dataOffset + i];
        if (ch === 0) break;
        target += String.fromCharCode(ch);
      }
      const s = sysSymlinkat(caller, target, AT_FDCWD, name);
      if (s < 0) return `symlink failed (${errText(s)})`;
      const a = applyAttrs(caller, name, h, false);
      if (a < 0) return `attributes (${errText(a)})`;
      setMtime(caller, name, h.mtime);
      return null;
    }
    case S_IFCHR:
    case S_IFBLK:
    case S_IFIFO:
    case S_IFSOCK: {
      const dev = encodeDev(mkdev(h.rdevmajor, h.rdevminor));
      const m = sysMknodat(caller, AT_FDCWD, name, h.mode, dev);
      if (m < 0) return `mknod failed (${errText(m)})`;
      const a = applyAttrs(caller, name, h, true);
      if (a < 0) return `attributes (${errText(a)})`;
      setMtime(caller, name, h.mtime);
      return null;
    }
    default:
      return `unknown file type 0${(type >>> 12).toString(8)}`;
  }
}
