// cpio "newc" (SVR4 without CRC, magic 070701) archive writer, the format of
// Linux initramfs images. Each record is a 110-byte ASCII header of thirteen
// 8-digit hex fields, the NUL-terminated name padded to a multiple of 4 bytes
// (counted from the header start), then the data padded to a multiple of 4.
// The archive ends with a record named "TRAILER!!!".

export const S_IFMT = 0o170000;
export const S_IFDIR = 0o040000;
export const S_IFREG = 0o100000;
export const S_IFLNK = 0o120000;
export const S_IFCHR = 0o020000;

export const CPIO_NEWC_MAGIC = "070701";
export const CPIO_HEADER_SIZE = 110;
export const CPIO_TRAILER = "TRAILER!!!";

export interface CpioEntry {
  /** Path inside the archive, without a leading "/" (e.g. "bin/sh"). */
  name: string;
  /** Full st_mode: file type bits | permission bits. */
  mode: number;
  /** Contents of a regular file, or the target of a symlink. */
  data?: Uint8Array;
  uid?: number;
  gid?: number;
  mtime?: number;
  /** Device numbers of a character/block special file. */
  rdevMajor?: number;
  rdevMinor?: number;
}

/** Sorts entries by path component (so a directory precedes its contents); returns a new array. */
export function sortCpioEntries(entries: readonly CpioEntry[]): CpioEntry[] {
  const key = (e: CpioEntry): string[] => e.name.split("/");
  return [...entries].sort((a, b) => {
    const ka = key(a);
    const kb = key(b);
    for (let i = 0; i < Math.min(ka.length, kb.length); i++) {
      if (ka[i] !== kb[i]) return ka[i] < kb[i] ? -1 : 1;
    }
    return ka.length - kb.length;
  });
}

function hex8(value: number, field: string, name: string): string {
  if (!Number.isInteger(value) || value < 0 || value > 0xffffffff) {
    throw new Error(`cpio: entry "${name}": ${field} ${value} does not fit in 32 bits`);
  }
  return value.toString(16).toUpperCase().padStart(8, "0");
}

const pad4 = (n: number): number => (4 - (n % 4)) % 4;

function validateName(name: string, seen: Set<string>): void {
  if (name === "" || name.startsWith("/") || name.endsWith("/")) {
    throw new Error(`cpio: bad entry name "${name}" (must be relative, without leading or trailing "/")`);
  }
  if (name.split("/").some((c) => c === "" || c === "." || c === "..")) {
    throw new Error(`cpio: bad entry name "${name}" (empty, "." or ".." component)`);
  }
  if (name === CPIO_TRAILER) throw new Error(`cpio: entry name "${name}" is reserved`);
  if (seen.has(name)) throw new Error(`cpio: duplicate entry "${name}"`);
  seen.add(name);
}

/**
 * Serializes entries, in the order given, into one newc archive followed by the trailer.
 * Inode numbers are assigned 1, 2, ... in order; directories get nlink 2, others 1;
 * uid, gid and mtime default to 0. Throws an Error naming the entry on a bad name,
 * a duplicate, data on a non-file, or a field that does not fit. The caller owns the result.
 */
export function writeCpio(entries: readonly CpioEntry[]): Uint8Array {
  const seen = new Set<string>();
  const enc = new TextEncoder();
  const chunks: Uint8Array[] = [];
  let total = 0;

  const push = (
    ino: number,
    mode: number,
    nlink: number,
    e: { uid: number; gid: number; mtime: number; rdevMajor: number; rdevMinor: number },
    name: string,
    data: Uint8Array,
  ): void => {
    const nameBytes = enc.encode(name);
    const fields = [
      ino, mode, e.uid, e.gid, nlink, e.mtime, data.length,
      0, 0, e.rdevMajor, e.rdevMinor, nameBytes.length + 1, 0,
    ];
    const labels = ["ino", "mode", "uid", "gid", "nlink", "mtime", "filesize",
      "devmajor", "devminor", "rdevmajor", "rdevminor", "namesize", "check"];
    const header = CPIO_NEWC_MAGIC + fields.map((v, i) => hex8(v, labels[i], name)).join("");
    const headLen = CPIO_HEADER_SIZE + nameBytes.length + 1;
    const rec = new Uint8Array(headLen + pad4(headLen) + data.length + pad4(data.length));
    rec.set(enc.encode(header), 0);
    rec.set(nameBytes, CPIO_HEADER_SIZE);
    rec.set(data, headLen + pad4(headLen));
    chunks.push(rec);
    total += rec.length;
  };

  entries.forEach((entry, i) => {
    validateName(entry.name, seen);
    const type = entry.mode & S_IFMT;
    if (![S_IFDIR, S_IFREG, S_IFLNK, S_IFCHR].includes(type)) {
      throw new Error(`cpio: entry "${entry.name}": unsupported file type in mode 0o${entry.mode.toString(8)}`);
    }
    if (entry.data && type !== S_IFREG && type !== S_IFLNK) {
      throw new Error(`cpio: entry "${entry.name}": only regular files and symlinks carry data`);
    }
    push(i + 1, entry.mode, type === S_IFDIR ? 2 : 1, {
      uid: entry.uid ?? 0,
      gid: entry.gid ?? 0,
      mtime: entry.mtime ?? 0,
      rdevMajor: entry.rdevMajor ?? 0,
      rdevMinor: entry.rdevMinor ?? 0,
    }, entry.name, entry.data ?? new Uint8Array(0));
  });
  push(0, 0, 1, { uid: 0, gid: 0, mtime: 0, rdevMajor: 0, rdevMinor: 0 }, CPIO_TRAILER, new Uint8Array(0));

  const out = new Uint8Array(total);
  let off = 0;
  for (const c of chunks) {
    out.set(c, off);
    off += c.length;
  }
  return out;
}
