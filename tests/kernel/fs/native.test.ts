import { describe, it, expect } from "vitest";
import { execFileSync } from "node:child_process";
import { existsSync, mkdtempSync, mkdirSync, writeFileSync, symlinkSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { direntReclen } from "../../../kernel/fs/readdir.ts";
import { execI386, i386Reference, needI386 } from "../../support/i386-reference.ts";
import { skipOrFail as skip } from "../exec/toolchain.ts";

describe("layouts agree with the running Linux", () => {
  it("struct stat64 offsets and linux_dirent64 record sizes", () => {
    if (!existsSync("/usr/lib/i386-linux-musl/libc.a")) return skip("musl-dev:i386 is not installed");
    if (needI386()) return;
    const work = mkdtempSync(join(tmpdir(), "vmalab-native-"));
    try {
      const exe = join(work, "native");
      const m = "/usr/lib/i386-linux-musl";
      try {
        execFileSync("clang", ["--target=i386-linux-musl", "-march=i486", "-static", "-nostdlib", "-fuse-ld=lld", "-isystem", "/usr/include/i386-linux-musl",
          new URL("./native.c", import.meta.url).pathname, `${m}/crt1.o`, `${m}/crti.o`, `${m}/libc.a`,
          "/usr/lib/llvm-14/lib/clang/14.0.6/lib/linux/libclang_rt.builtins-i386.a", `${m}/crtn.o`, "-o", exe], { stdio: "pipe" });
      } catch (e) {
        return skip(`clang could not build native.c: ${String(e).slice(0, 200)}`);
      }
      const dir = join(work, "d");
      mkdirSync(dir);
      mkdirSync(join(dir, "subdirectory"));
      writeFileSync(join(dir, "a-name-of-exactly-21c"), "");
      symlinkSync("x", join(dir, "l"));
      const out = execI386(exe, [dir]).toString().trim().split("\n");
      const [rc, hex] = out[0].split(" ");
      expect(rc).toBe("0");
      const raw = Buffer.from(hex, "hex");
      const [ino, mode, nlink, uid, gid, size, blksize, blocks, mtime, mtimeNsec] = out[1].split(" ");
      const u64 = (o: number) => raw.readUInt32LE(o) + raw.readUInt32LE(o + 4) * 2 ** 32;
      expect(String(u64(88))).toBe(ino);
      expect(String(raw.readUInt32LE(12))).toBe(String(Number(ino) % 2 ** 32));
      expect(raw.readUInt32LE(16).toString(8)).toBe(mode);
      expect(String(raw.readUInt32LE(20))).toBe(nlink);
      expect(String(raw.readUInt32LE(24))).toBe(uid);
      expect(String(raw.readUInt32LE(28))).toBe(gid);
      expect(String(u64(44))).toBe(size);
      expect(String(raw.readUInt32LE(52))).toBe(blksize);
      expect(String(u64(56))).toBe(blocks);
      expect(String(raw.readUInt32LE(72))).toBe(mtime);
      expect(String(raw.readUInt32LE(76))).toBe(mtimeNsec);
      expect(size).toBe("5000");
      const types: Record<string, number> = { ".": 4, "..": 4, subdirectory: 4, "a-name-of-exactly-21c": 8, l: 10, file: 8 };
      const recs = out.slice(2).map((l) => l.split(" "));
      expect(recs.length).toBe(6);
      // qemu-user 7.2 rounds an i386 guest's d_reclen to 4 bytes (the alignment of its
      // target_dirent64); Linux rounds linux_dirent64 records to 8 on every architecture.
      const reclenKnown = i386Reference().kind === "native";
      if (!reclenKnown) console.log("d_reclen not checked: qemu-user computes its own (4-byte rounding)");
      for (const [reclen, type, name] of recs) {
        if (reclenKnown) expect([name, Number(reclen)]).toEqual([name, direntReclen(name.length)]);
        expect([name, Number(type)]).toEqual([name, types[name]]);
      }
    } finally {
      rmSync(work, { recursive: true, force: true });
    }
  });
});
