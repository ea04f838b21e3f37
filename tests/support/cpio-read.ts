// A minimal cpio newc reader for the tests (the kernel has its own unpacker,
// kernel/fs/cpio.ts; this one checks the committed image from outside).

export interface ReadEntry {
  name: string;
  ino: number;
  mode: number;
  uid: number;
  gid: number;
  nlink: number;
  mtime: number;
  data: Uint8Array;
}

/** Minimal newc reader for the tests: throws on anything malformed. */
export function readCpioEntries(buf: Uint8Array): ReadEntry[] {
  const dec = new TextDecoder("latin1");
  const out: ReadEntry[] = [];
  let off = 0;
  for (;;) {
    if (off + 110 > buf.length) throw new Error(`truncated header at ${off}`);
    const head = dec.decode(buf.subarray(off, off + 110));
    if (!head.startsWith("070701")) throw new Error(`bad magic at ${off}`);
    const f = (i: number): number => parseInt(head.slice(6 + 8 * i, 14 + 8 * i), 16);
    const namesize = f(11);
    const filesize = f(6);
    const name = dec.decode(buf.subarray(off + 110, off + 110 + namesize - 1));
    if (buf[off + 110 + namesize - 1] !== 0) throw new Error(`name of ${name} not NUL-terminated`);
    let p = off + 110 + namesize;
    p += (4 - (p % 4)) % 4;
    const data = buf.subarray(p, p + filesize);
    if (p + filesize > buf.length) throw new Error(`truncated data of ${name}`);
    p += filesize;
    p += (4 - (p % 4)) % 4;
    if (name === "TRAILER!!!") {
      if (p !== buf.length) throw new Error(`${buf.length - p} bytes after the trailer`);
      return out;
    }
    out.push({ name, ino: f(0), mode: f(1), uid: f(2), gid: f(3), nlink: f(4), mtime: f(5), data });
    off = p;
  }
}
