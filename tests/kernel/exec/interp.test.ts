// PT_INTERP: Debian's dynamically linked coreutils (PIE executables needing
// /lib/ld-linux.so.2 and libc.so.6 from libc6:i386; sort, seq and printf use
// the x87 through glibc's floating point) run under vmalab, loaded
// as Linux's binfmt_elf loads them, under every mm design with no frame
// leaked; their output equals the same binaries run through the i386
// reference (ld.so invoked directly with the program, natively or under
// qemu-user). /proc/PID/maps shows the interpreter and the libraries.

import { describe, expect, it } from "vitest";
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { GuestSession } from "../../support/guest.ts";
import { debianRoot } from "../../support/debian.ts";
import { skipOrFail } from "../../support/skip.ts";
import { needI386, spawnI386 } from "../../support/i386-reference.ts";
import { S_IFDIR, S_IFREG, writeCpio, type CpioEntry } from "../../../tools/cpio.ts";

const LIBC = "lib/i386-linux-gnu/libc.so.6";
const LDSO = "lib/ld-linux.so.2";
const PROGRAMS = ["bin/echo", "bin/cat", "bin/true", "bin/false", "usr/bin/head", "usr/bin/wc",
  "usr/bin/uniq", "usr/bin/cut", "usr/bin/od", "usr/bin/sha256sum", "usr/bin/basename", "usr/bin/sort", "usr/bin/seq",
  "usr/bin/printf"];
const INPUT = "pear\napple\nfig\napple\nbanana:yellow\ncherry:red\n";
/** Command lines run in /data (relative file names, so the output is the same on the host). */
const COMMANDS = [
  "echo hello from glibc", "cat in.txt", "true", "false", "head -n 2 in.txt", "wc in.txt",
  "uniq -c in.txt", "cut -d: -f2 in.txt", "od -c in.txt", "sha256sum in.txt", "basename /usr/lib/x.so .so",
  "sort in.txt", "seq 1 0.25 2.5", "printf %.3f,%g,%e 3.14159 1e-5 123456789",
];
const DESIGNS = ["classic", "vma", "lazy", "sharedpt"];

const deb = debianRoot(["libc6:i386", "coreutils:i386"]);
const root = "root" in deb ? deb.root : "";
if ("skip" in deb) skipOrFail(deb.skip);
const t = "root" in deb ? it : it.skip;

/** The libraries and programs as an extra initramfs, with the input file in /data. */
function archive(): Uint8Array {
  const entries: CpioEntry[] = [];
  const dirs = new Set<string>();
  const add = (name: string, data: Uint8Array, mode: number) => {
    const parts = name.split("/");
    for (let i = 1; i < parts.length; i++) {
      const d = parts.slice(0, i).join("/");
      if (!dirs.has(d)) entries.push({ name: d, mode: S_IFDIR | 0o755 });
      dirs.add(d);
    }
    entries.push({ name, mode: S_IFREG | mode, data });
  };
  add(LDSO, readFileSync(join(root, LDSO)), 0o755);
  add(LIBC, readFileSync(join(root, LIBC)), 0o755);
  for (const p of PROGRAMS) add(`deb/${p.split("/").pop()}`, readFileSync(join(root, p)), 0o755);
  add("data/in.txt", new TextEncoder().encode(INPUT), 0o644);
  return writeCpio(entries);
}

/** The output and status of a command line under the i386 reference, in a copy of /data. */
function reference(line: string): { output: string; status: number } {
  const [name, ...args] = line.split(" ");
  const prog = join(root, PROGRAMS.find((p) => p.endsWith(`/${name}`))!);
  const data = join(root, "..", "data");
  mkdirSync(data, { recursive: true });
  writeFileSync(join(data, "in.txt"), INPUT);
  const r = spawnI386(join(root, LDSO), ["--library-path", join(root, "lib/i386-linux-gnu"), prog, ...args], { cwd: data, encoding: "utf8" });
  return { output: r.stdout, status: r.status ?? -1 };
}

describe("dynamically linked Debian programs (PT_INTERP)", () => {
  t("a program whose interpreter is missing fails to exec with ENOENT, the shell's 127", () => {
    const only = writeCpio([{ name: "deb", mode: S_IFDIR | 0o755 }, { name: "deb/echo", mode: S_IFREG | 0o755, data: readFileSync(join(root, "bin/echo")) }]);
    const s = new GuestSession({ initrds: [{ name: "echo.cpio", data: only }] });
    const r = s.runStatus("/deb/echo hi");
    expect(r.status).toBe(127);
    expect(r.output).toBe("-sh: /deb/echo: not found\n"); // how the login shell (busybox ash, argv[0] "-sh") reports ENOENT
  });

  describe.each(DESIGNS)("mm=%s", (design) => {
    t("run through ld.so as on Linux, with no frame leaked", { timeout: 240_000 }, () => {
      const s = new GuestSession({ cmdline: `quiet mm=${design}`, initrds: [{ name: "debian.cpio", data: archive() }] });
      s.run("cd /data");
      const free = s.freeFrames();
      for (const line of COMMANDS) {
        const got = s.runStatus(`/deb/${line}`);
        expect(got.output, line).not.toMatch(/error while loading|Segmentation|Illegal/);
        if (design === "vma") {
          if (needI386() === null) expect(got, line).toEqual(reference(line));
        } else {
          expect(got.status, line).toBe(line === "false" ? 1 : 0);
        }
      }
      const maps = s.runStatus("/deb/cat /proc/self/maps").output;
      expect(maps).toMatch(/^[0-9a-f]{8}-[0-9a-f]{8} r-xp [0-9a-f]{8} \S+ +\d+ +\/lib\/ld-linux\.so\.2$/m);
      expect(maps).toMatch(/ \/lib\/i386-linux-gnu\/libc\.so\.6$/m);
      expect(maps).toMatch(/^00400000-[0-9a-f]{8} r--p 00000000 .* \/deb\/cat$/m);
      expect(s.freeFrames()).toBe(free);
      expect(s.check()).toEqual([]);
    });
  });
});
