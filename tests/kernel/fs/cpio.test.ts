import { describe, it, expect } from "vitest";
import { execFileSync } from "node:child_process";
import { mkdtempSync, writeFileSync, mkdirSync, symlinkSync, linkSync, utimesSync, rmSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { makeWorld, str } from "./world.ts";
import { unpackCpio } from "../../../kernel/fs/cpio.ts";
import { sysOpen, sysClose, AT_FDCWD } from "../../../kernel/fs/open.ts";
import { sysRead } from "../../../kernel/fs/readwrite.ts";
import { sysStat64, sysLstat64 } from "../../../kernel/fs/stat.ts";
import { sysReadlinkat } from "../../../kernel/fs/dirops.ts";
import { O_RDONLY } from "../../../kernel/fs/file.ts";

interface Ent {
  name: string;
  mode: number;
  data?: string;
  ino?: number;
  nlink?: number;
  uid?: number;
  gid?: number;
  mtime?: number;
  rmaj?: number;
  rmin?: number;
}

/** A minimal newc writer for the tests (the project's writer lives in tools/). */
function newc(ents: Ent[], trailer = true): Uint8Array {
  const out: number[] = [];
  const pad = () => {
    while (out.length % 4) out.push(0);
  };
  const h = (n: number) => n.toString(16).padStart(8, "0");
  const all = trailer ? [...ents, { name: "TRAILER!!!", mode: 0 }] : ents;
  let ino = 100;
  for (const e of all) {
    const data = e.data ?? "";
    const fields = [e.ino ?? ino++, e.mode, e.uid ?? 0, e.gid ?? 0, e.nlink ?? 1, e.mtime ?? 0, data.length, 0, 0, e.rmaj ?? 0, e.rmin ?? 0, e.name.length + 1, 0];
    for (const c of "070701" + fields.map(h).join("") + e.name + "\0") out.push(c.charCodeAt(0));
    pad();
    for (const c of data) out.push(c.charCodeAt(0));
    pad();
  }
  return Uint8Array.from(out);
}

function cat(w: ReturnType<typeof makeWorld>, path: string): string {
  const fd = sysOpen(w.caller, path, O_RDONLY, 0);
  if (fd < 0) return `errno:${fd}`;
  const r = sysRead(w.caller, fd, 100000);
  sysClose(w.caller, fd);
  return str(r);
}
function stat(w: ReturnType<typeof makeWorld>, path: string, l = false) {
  const b = (l ? sysLstat64 : sysStat64)(w.caller, path);
  if (typeof b === "number") return null;
  const v = new DataView(b.buffer);
  return { mode: v.getUint32(16, true), nlink: v.getUint32(20, true), uid: v.getUint32(24, true), gid: v.getUint32(28, true), rdev: v.getUint32(32, true), size: v.getUint32(44, true), mtime: v.getUint32(72, true), ino: v.getUint32(88, true) };
}

describe("cpio newc reader", () => {
  it("unpacks files, dirs, symlinks, devices, fifos with attributes", () => {
    const w = makeWorld();
    const r = unpackCpio(
      newc([
        { name: ".", mode: 0o40755 },
        { name: "bin", mode: 0o40711, mtime: 1234 },
        { name: "bin/sh", mode: 0o100755, data: "#!shell", uid: 5, gid: 6, mtime: 777 },
        { name: "bin/link", mode: 0o120777, data: "sh" },
        { name: "dev", mode: 0o40755 },
        { name: "dev/console", mode: 0o20600, rmaj: 5, rmin: 1 },
        { name: "dev/sda", mode: 0o60660, rmaj: 8, rmin: 0 },
        { name: "fifo", mode: 0o10644 },
        { name: "empty", mode: 0o100600 },
      ]),
      w.caller,
    );
    expect(r).toEqual({ ok: true, entries: 9, archives: 1, warnings: [] });
    expect(cat(w, "/bin/sh")).toBe("#!shell");
    expect(stat(w, "/bin/sh")).toMatchObject({ mode: 0o100755, uid: 5, gid: 6, mtime: 777, size: 7 });
    expect(stat(w, "/bin")).toMatchObject({ mode: 0o40711, mtime: 1234 });
    expect(str(sysReadlinkat(w.caller, AT_FDCWD, "/bin/link", 100))).toBe("sh");
    expect(cat(w, "/bin/link")).toBe("#!shell");
    expect(stat(w, "/dev/console")).toMatchObject({ mode: 0o20600, rdev: 0x501 });
    expect(stat(w, "/dev/sda")).toMatchObject({ mode: 0o60660, rdev: 0x800 });
    expect(stat(w, "/fifo")).toMatchObject({ mode: 0o10644 });
    expect(stat(w, "/empty")).toMatchObject({ mode: 0o100600, size: 0 });
  });

  it("makes hard links by inode number within an archive (data on the last entry)", () => {
    const w = makeWorld();
    const r = unpackCpio(
      newc([
        { name: "a", mode: 0o100644, ino: 7, nlink: 2, data: "" },
        { name: "b", mode: 0o100644, ino: 7, nlink: 2, data: "shared" },
      ]),
      w.caller,
    );
    expect(r.ok).toBe(true);
    expect(cat(w, "/a")).toBe("shared");
    expect(stat(w, "/a")!.ino).toBe(stat(w, "/b")!.ino);
    expect(stat(w, "/a")!.nlink).toBe(2);
  });

  it("lets later archives override earlier ones, with NUL padding between them", () => {
    const w = makeWorld();
    const a = newc([
      { name: "etc", mode: 0o40755 },
      { name: "etc/motd", mode: 0o100644, data: "old motd" },
      { name: "x", mode: 0o100644, data: "file" },
      { name: "l", mode: 0o120777, data: "old" },
      { name: "d", mode: 0o40755 },
      { name: "d/inner", mode: 0o100644, data: "kept" },
    ]);
    const b = newc([
      { name: "etc/motd", mode: 0o100600, data: "new" },
      { name: "x", mode: 0o40700 },
      { name: "l", mode: 0o120777, data: "new" },
      { name: "d", mode: 0o40700 },
    ]);
    const both = new Uint8Array(a.length + 512 + b.length);
    both.set(a, 0);
    both.set(b, a.length + 512);
    const r = unpackCpio(both, w.caller);
    expect(r).toEqual({ ok: true, entries: 10, archives: 2, warnings: [] });
    expect(cat(w, "/etc/motd")).toBe("new");
    expect(stat(w, "/etc/motd")!.mode).toBe(0o100600);
    expect(stat(w, "/x")!.mode).toBe(0o40700);
    expect(str(sysReadlinkat(w.caller, AT_FDCWD, "/l", 100))).toBe("new");
    expect(stat(w, "/d")!.mode).toBe(0o40700);
    expect(cat(w, "/d/inner")).toBe("kept");
  });

  it("reports malformed archives with the byte offset and never throws", () => {
    const good = newc([{ name: "f", mode: 0o100644, data: "abcdef" }]);
    const w = makeWorld();
    const bad = good.slice();
    bad[3] = 0x39;
    expect(unpackCpio(bad, w.caller)).toEqual({ ok: false, offset: 0, message: 'bad magic "070901" at offset 0 (0x0)' });
    expect(unpackCpio(good.subarray(0, 50), w.caller)).toEqual({ ok: false, offset: 0, message: "truncated header at offset 0 (0x0)" });
    const hexBad = good.slice();
    hexBad[6 + 8 * 6 + 3] = 0x47; // 'G' in c_filesize
    expect(unpackCpio(hexBad, w.caller)).toEqual({ ok: false, offset: 54, message: "bad hex in c_filesize at offset 54 (0x36)" });
    expect(unpackCpio(good.subarray(0, 111), w.caller)).toEqual({ ok: false, offset: 110, message: "name beyond the end of the archive at offset 110 (0x6e)" });
    const r = unpackCpio(good.subarray(0, 116), w.caller);
    expect(r).toEqual({ ok: false, offset: 112, message: 'data of "f" (6 bytes) beyond the end of the archive at offset 112 (0x70)' });
    const second = new Uint8Array(good.length + 2 + 110);
    second.set(good);
    second[good.length + 2] = 0x30;
    expect(unpackCpio(second, w.caller)).toMatchObject({ ok: false, offset: good.length + 2, message: `broken padding between archives at offset ${good.length + 2} (0x${(good.length + 2).toString(16)})` });
    const huge = newc([{ name: "f", mode: 0o100644, data: "" }]);
    const hv = huge.slice();
    for (let i = 0; i < 8; i++) hv[6 + 8 * 6 + i] = 0x66; // filesize 0xffffffff
    expect(unpackCpio(hv, w.caller)).toMatchObject({ ok: false, offset: 112 });
    const noNul = newc([{ name: "f", mode: 0o100644 }]);
    noNul[111] = 0x41;
    expect(unpackCpio(noNul, w.caller)).toMatchObject({ ok: false, offset: 111, message: "name not NUL-terminated at offset 111 (0x6f)" });
    for (let n = 0; n < good.length; n++) expect(() => unpackCpio(good.subarray(0, n), makeWorld().caller)).not.toThrow();
  });

  it("reports entry problems as warnings and carries on", () => {
    const w = makeWorld();
    const r = unpackCpio(newc([{ name: "missing/dir/f", mode: 0o100644, data: "x" }, { name: "ok", mode: 0o100644, data: "y" }]), w.caller);
    expect(r.ok && r.warnings).toEqual(['"missing/dir/f" at offset 0: write failed (error 2)']);
    expect(cat(w, "/ok")).toBe("y");
  });

  it("reads archives made by GNU cpio -H newc", () => {
    let ok = true;
    try {
      execFileSync("cpio", ["--version"], { stdio: "ignore" });
    } catch {
      ok = false;
    }
    if (!ok) {
      if (process.env.CI === "true") throw new Error("cpio not installed");
      console.log("skipped: GNU cpio is not installed");
      return;
    }
    const dir = mkdtempSync(join(tmpdir(), "vmalab-cpio-"));
    try {
      mkdirSync(join(dir, "sub"));
      writeFileSync(join(dir, "sub", "hello.txt"), "hello world\n");
      writeFileSync(join(dir, "big"), Buffer.alloc(10000, 0x41));
      linkSync(join(dir, "big"), join(dir, "big2"));
      symlinkSync("sub/hello.txt", join(dir, "lnk"));
      utimesSync(join(dir, "sub", "hello.txt"), 1000000, 1000000);
      const list = execFileSync("sh", ["-c", "cd " + JSON.stringify(dir) + " && find . | LC_ALL=C sort | cpio -o -H newc --quiet"]);
      const w = makeWorld();
      const r = unpackCpio(new Uint8Array(list), w.caller);
      expect(r).toMatchObject({ ok: true, warnings: [] });
      expect(cat(w, "/sub/hello.txt")).toBe("hello world\n");
      expect(stat(w, "/sub/hello.txt")!.mtime).toBe(1000000);
      expect(cat(w, "/big")).toBe("A".repeat(10000));
      expect(cat(w, "/big2")).toBe("A".repeat(10000));
      expect(stat(w, "/big")!.ino).toBe(stat(w, "/big2")!.ino);
      expect(cat(w, "/lnk")).toBe(readFileSync(join(dir, "sub", "hello.txt"), "latin1"));
      expect(stat(w, "/lnk", true)!.mode).toBe(0o120777);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
