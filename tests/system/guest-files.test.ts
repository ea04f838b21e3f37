// The host-side file API (system/guest-files.ts): uploads land in the guest's
// VFS byte for byte (the guest's own sha256sum agrees with Node's), downloads
// read what guest programs wrote, and errors come back as -errno with no
// temporary file and no frame left behind.

import { describe, expect, it } from "vitest";
import { createHash } from "node:crypto";
import { GuestSession } from "../support/guest.ts";
import { Errno } from "../../kernel/errno.ts";
import { GuestFileReader, GuestFileWriter, readGuestFile, writeGuestFile } from "../../system/guest-files.ts";
import { errnoMessage } from "../../system/errno-message.ts";

const MiB = 1 << 20;

/** n bytes in which every byte value occurs, in an order that is not a plain counter. */
function pattern(n: number): Uint8Array {
  const b = new Uint8Array(n);
  for (let i = 0; i < n; i++) b[i] = (i * 7 + (i >>> 8) * 13) & 0xff;
  return b;
}

function* chunksOf(data: Uint8Array, size: number): Generator<Uint8Array> {
  for (let off = 0; off < data.length; off += size) yield data.subarray(off, off + size);
}

const sha256 = (b: Uint8Array) => createHash("sha256").update(b).digest("hex");

describe("guest files from the host", () => {
  it("writes 1 MiB in chunks into /tmp and reads it back; the guest sees the same bytes", () => {
    const s = new GuestSession();
    const data = pattern(MiB);
    expect(new Set(data).size).toBe(256);
    expect(writeGuestFile(s.sys, "/tmp/x", chunksOf(data, 100_000))).toBe(0);
    const back = readGuestFile(s.sys, "/tmp/x");
    expect(back).toBeInstanceOf(Uint8Array);
    expect(Buffer.from(back as Uint8Array).equals(Buffer.from(data))).toBe(true);
    expect(s.run("sha256sum /tmp/x")).toBe(`${sha256(data)}  /tmp/x`);
    expect(s.run("stat -c '%a %u %g %s' /tmp/x")).toBe(`644 0 0 ${MiB}`);
    // only the file: the temporary name was renamed into place
    expect(s.run("ls -1a /tmp")).toBe(".\n..\nx");
    // what a guest program writes, the host reads (same page cache)
    s.run("cp /tmp/x /tmp/y; echo hello > /tmp/g");
    expect(sha256(readGuestFile(s.sys, "/tmp/y") as Uint8Array)).toBe(sha256(data));
    expect(new TextDecoder().decode(readGuestFile(s.sys, "/tmp/g") as Uint8Array)).toBe("hello\n");
    expect(s.check()).toEqual([]);
  });

  it("replaces an existing file atomically and writes outside /tmp", () => {
    const s = new GuestSession();
    s.run("echo old > /tmp/r; chmod 600 /tmp/r");
    const w = GuestFileWriter.open(s.sys, "/tmp/r");
    if (typeof w === "number") throw new Error(errnoMessage("/tmp/r", w));
    expect(w.write(new TextEncoder().encode("new "))).toBe(0);
    // mid-upload the guest still sees the old file, and the temporary file next to it
    expect(s.run("cat /tmp/r")).toBe("old");
    expect(s.run("ls -1a /tmp")).toContain(".upload-");
    expect(w.write(new TextEncoder().encode("contents\n"))).toBe(0);
    expect(w.written).toBe(13);
    expect(w.commit()).toBe(0);
    expect(s.run("cat /tmp/r; stat -c %a /tmp/r; ls -1a /tmp")).toBe("new contents\n644\n.\n..\nr");
    expect(writeGuestFile(s.sys, "/up.txt", [new TextEncoder().encode("at the root\n")])).toBe(0);
    expect(s.run("cat /up.txt")).toBe("at the root");
  });

  it("reads files whose size is only known by reading (/proc)", () => {
    const s = new GuestSession();
    const r = GuestFileReader.open(s.sys, "/proc/meminfo");
    if (typeof r === "number") throw new Error(errnoMessage("/proc/meminfo", r));
    const first = r.read();
    r.close();
    expect(new TextDecoder().decode(first as Uint8Array)).toMatch(/^MemTotal:/);
  });

  it("reports errors as -errno with readable messages", () => {
    const s = new GuestSession();
    const one = [new Uint8Array(10)];
    expect(writeGuestFile(s.sys, "/no/such/dir/x", one)).toBe(-Errno.ENOENT);
    expect(writeGuestFile(s.sys, "/tmp", one)).toBe(-Errno.EISDIR);
    expect(writeGuestFile(s.sys, "/tmp/", one)).toBe(-Errno.EISDIR);
    expect(writeGuestFile(s.sys, "/etc/passwd/x", one)).toBe(-Errno.ENOTDIR);
    expect(writeGuestFile(s.sys, "tmp/x", one)).toBe(-Errno.EINVAL);
    expect(writeGuestFile(s.sys, "/proc/x", one)).toBeLessThan(0);
    expect(readGuestFile(s.sys, "/no/such/file")).toBe(-Errno.ENOENT);
    expect(readGuestFile(s.sys, "/tmp")).toBe(-Errno.EISDIR);
    expect(readGuestFile(s.sys, "/dev/zero")).toBe(-Errno.EINVAL);
    expect(errnoMessage("download /no/such/file", -Errno.ENOENT)).toBe("download /no/such/file: no such file or directory (ENOENT)");
    expect(errnoMessage("upload /tmp/big", -Errno.ENOSPC)).toBe("upload /tmp/big: no space left on the guest's file system (ENOSPC)");
    expect(s.run("ls -1a /tmp")).toBe(".\n..");
  });

  it("fails with ENOSPC past the tmpfs size, leaving no partial file and no frame behind", () => {
    const s = new GuestSession({ memorySize: 48 * MiB }); // tmpfs = half of RAM = 24 MiB
    s.run("echo keep > /tmp/keep");
    const free0 = s.freeFrames();
    const w = GuestFileWriter.open(s.sys, "/tmp/big");
    if (typeof w === "number") throw new Error(errnoMessage("/tmp/big", w));
    const chunk = pattern(MiB);
    let r = 0;
    for (let i = 0; i < 40 && r === 0; i++) r = w.write(chunk);
    expect(r).toBe(-Errno.ENOSPC);
    expect(w.written).toBeGreaterThan(10 * MiB);
    expect(w.isOpen).toBe(false);
    expect(w.commit()).toBe(-Errno.EBADF);
    expect(s.freeFrames()).toBe(free0);
    expect(s.check()).toEqual([]);
    expect(s.run("ls -1a /tmp; cat /tmp/keep")).toBe(".\n..\nkeep\nkeep");
    // the guest can still use the space
    expect(s.run("head -c 1048576 /dev/zero > /tmp/z; ls -l /tmp/z")).toMatch(/ 1048576 /);
    expect(s.check()).toEqual([]);
  });
});
