import { describe, it, expect } from "vitest";
import { existsSync, readFileSync } from "node:fs";
import { makeKernel, UBUF, dv, text, newc } from "./harness.ts";
import { NR } from "../../../kernel/syscalls/numbers.ts";
import { doMmap, MAP_ANONYMOUS, MAP_FIXED, MAP_PRIVATE, PROT_READ, PROT_WRITE, PROT_EXEC } from "../../../kernel/mm/mmap.ts";
import { VM_GROWSDOWN } from "../../../kernel/mm/vma.ts";
import { procMaps, mapsLine, procStat } from "../../../kernel/procfs/pid.ts";
import type { Task } from "../../../kernel/proc/task.ts";

const EPERM = -1, EINVAL = -22;

/** Reads a whole file through open/read/close (the pages it uses are touched first, so rss is stable). */
function cat(fk: ReturnType<typeof makeKernel>, t: Task, path: string): string {
  fk.put(t, UBUF + 0x8000, "\0");
  const fd = fk.call(t, NR.open, fk.putStr(t, UBUF + 0xf000, path), 0);
  if (fd < 0) return `errno ${fd}`;
  let out = "";
  for (;;) {
    const n = fk.call(t, NR.read, fd, UBUF + 0x8000, 4096);
    if (n <= 0) break;
    out += text(fk.get(t, UBUF + 0x8000, n));
  }
  fk.call(t, NR.close, fd);
  return out;
}

describe("identity and limits", () => {
  it("uname fills struct new_utsname", () => {
    const fk = makeKernel();
    const t = fk.newTask(1);
    expect(fk.call(t, NR.uname, UBUF)).toBe(0);
    const b = fk.get(t, UBUF, 390);
    const field = (i: number) => {
      const f = b.subarray(i * 65, i * 65 + 65);
      return text(f.subarray(0, f.indexOf(0)));
    };
    expect([0, 1, 2, 3, 4, 5].map(field)).toEqual(["Linux", "vmalab", "5.10.0-vmalab", "#1 SMP PREEMPT vmalab", "i686", "(none)"]);
    fk.put(t, UBUF + 0x200, "box");
    expect(fk.call(t, NR.sethostname, UBUF + 0x200, 3)).toBe(0);
    fk.call(t, NR.uname, UBUF);
    expect(text(fk.get(t, UBUF + 65, 4))).toBe("box\0");
  });

  it("uid calls: root drops to a user, who cannot come back", () => {
    const fk = makeKernel();
    const t = fk.newTask(1);
    expect(fk.call(t, NR.getuid32)).toBe(0);
    expect(fk.call(t, NR.setgroups32, 2, UBUF)).toBe(0); // setgroups32 with two zero groups
    expect(fk.call(t, NR.getgroups32, 0, 0)).toBe(2);
    expect(fk.call(t, NR.setgid32, 100)).toBe(0);
    expect(fk.call(t, NR.setuid32, 1000)).toBe(0);
    expect([t.uid, t.euid, t.suid, t.gid, t.egid]).toEqual([1000, 1000, 1000, 100, 100]);
    expect(fk.call(t, NR.setuid32, 0)).toBe(EPERM);
    expect(fk.call(t, NR.getresuid32, UBUF, UBUF + 4, UBUF + 8)).toBe(0);
    expect([...new Int32Array(fk.get(t, UBUF, 12).buffer)]).toEqual([1000, 1000, 1000]);
    expect(fk.call(t, NR.getuid)).toBe(1000);
    expect(fk.call(t, NR.settimeofday, UBUF, 0)).toBe(EPERM);
    expect(fk.call(t, NR.sethostname, UBUF, 3)).toBe(EPERM);
  });

  it("rlimits: ugetrlimit infinity, setrlimit NOFILE reaches the fd table, prlimit64", () => {
    const fk = makeKernel();
    const t = fk.newTask(1);
    expect(fk.call(t, NR.ugetrlimit, 3, UBUF)).toBe(0); // STACK
    expect([...new Uint32Array(fk.get(t, UBUF, 8).buffer)]).toEqual([8 << 20, 0xffffffff]);
    expect(fk.call(t, NR.getrlimit, 3, UBUF)).toBe(0); // old getrlimit clamps infinity
    expect([...new Uint32Array(fk.get(t, UBUF, 8).buffer)]).toEqual([8 << 20, 0x7fffffff]);
    fk.put(t, UBUF, new Uint8Array(new Uint32Array([5, 4096]).buffer));
    expect(fk.call(t, NR.setrlimit, 7, UBUF)).toBe(0);
    expect(t.files!.nofile).toBe(5);
    expect(fk.call(t, NR.dup, 0)).toBe(3);
    expect(fk.call(t, NR.dup, 0)).toBe(4);
    expect(fk.call(t, NR.dup, 0)).toBe(-24); // EMFILE
    fk.put(t, UBUF, new Uint8Array(new Uint32Array([10, 5]).buffer));
    expect(fk.call(t, NR.setrlimit, 7, UBUF)).toBe(EINVAL);
    expect(fk.call(t, NR.prlimit64, 0, 7, 0, UBUF + 0x10)).toBe(0);
    expect([...new Uint32Array(fk.get(t, UBUF + 0x10, 16).buffer)]).toEqual([5, 0, 4096, 0]);
    expect(fk.call(t, NR.prlimit64, 0, 99, 0, UBUF)).toBe(EINVAL);
  });

  it("getrandom is deterministic; sysinfo and getrusage fill their structs", () => {
    const a = makeKernel();
    const b = makeKernel();
    const ta = a.newTask(1), tb = b.newTask(1);
    expect(a.call(ta, NR.getrandom, UBUF, 16, 0)).toBe(16);
    expect(b.call(tb, NR.getrandom, UBUF, 16, 0)).toBe(16);
    expect([...a.get(ta, UBUF, 16)]).toEqual([...b.get(tb, UBUF, 16)]);
    expect(a.call(ta, NR.getrandom, UBUF, 16, 8)).toBe(EINVAL);
    expect(a.call(ta, NR.sysinfo, UBUF)).toBe(0);
    const si = dv(a.get(ta, UBUF, 64));
    expect(si.getUint32(16, true)).toBe(a.k.mmctx.frames.totalram);
    expect(si.getUint32(52, true)).toBe(4096);
    expect(a.call(ta, NR.getrusage, 0, UBUF)).toBe(0);
    expect(a.call(ta, NR.getrusage, 5, UBUF)).toBe(EINVAL);
    expect(a.call(ta, NR.sched_yield)).toBe(0);
    expect(a.k.needResched).toBe(true);
    expect(a.call(ta, NR.personality, 0xffffffff)).toBe(0);
  });
});

describe("procfs", () => {
  it("maps lines are in Linux's format, with [heap] and [stack]", () => {
    const fk = makeKernel();
    const t = fk.newTask(1);
    const mm = t.mm!;
    expect(doMmap(mm, null, 0x08048000, 0x2000, PROT_READ | PROT_EXEC, MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED)).toBe(0x08048000);
    expect(doMmap(mm, null, 0x0804b000, 0x3000, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED)).toBe(0x0804b000);
    expect(doMmap(mm, null, 0xbffdf000, 0x21000, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED)).toBe(0xbffdf000);
    mm.findVma(0xbffdf000)!.vmFlags |= VM_GROWSDOWN;
    mm.startBrk = 0x0804b000;
    mm.brk = 0x0804e000;
    mm.startStack = 0xbfffef00;
    expect(procMaps(mm, "", null)).toBe(
      "08048000-0804a000 r-xp 00000000 00:00 0 \n" +
      "0804b000-0804e000 rw-p 00000000 00:00 0          [heap]\n" +
      "10000000-10010000 rw-p 00000000 00:00 0 \n" +
      "bffdf000-c0000000 rw-p 00000000 00:00 0          [stack]\n",
    );
    const fake = { vmStart: 0x08048000, vmEnd: 0x08049000, vmFlags: 0x75, vmPgoff: 1, vmFile: {} } as never;
    expect(mapsLine(mm, fake, { dev: (8 << 20) | 1, ino: 1234, path: "/bin/sh" })).toBe(
      "08048000-08049000 r-xp 00001000 08:01 1234       /bin/sh",
    );
    expect(cat(fk, t, "/proc/self/maps")).toBe(procMaps(mm, "", null));
    expect(cat(fk, t, "/proc/1/maps")).toBe(procMaps(mm, "", null));
  });

  it("status has Linux's fields and layout", () => {
    const fk = makeKernel();
    const t = fk.newTask(1);
    t.comm = "init";
    // cat touches two pages of the user buffer (path and data): rss is 2 pages.
    const s = cat(fk, t, "/proc/1/status");
    const lines = s.split("\n");
    expect(lines.slice(0, 11)).toEqual([
      "Name:\tinit", "Umask:\t0022", "State:\tR (running)", "Tgid:\t1", "Ngid:\t0", "Pid:\t1", "PPid:\t0",
      "TracerPid:\t0", "Uid:\t0\t0\t0\t0", "Gid:\t0\t0\t0\t0", "FDSize:\t64",
    ]);
    expect(lines).toContain("VmPeak:\t      64 kB");
    expect(lines).toContain("VmSize:\t      64 kB");
    expect(lines).toContain("VmRSS:\t       8 kB");
    expect(lines).toContain("RssAnon:\t       8 kB");
    expect(lines).toContain("RssFile:\t       0 kB");
    expect(lines).toContain("Threads:\t1");
    expect(lines).toContain("SigBlk:\t0000000000000000");
    const stat = procStat(fk.k, t, { ttyNr: 1281, tpgid: 1 }).trim().split(" ");
    expect(stat.length).toBe(52);
    expect(stat.slice(0, 8)).toEqual(["1", "(init)", "R", "0", "1", "1", "1281", "1"]);
    expect(stat[22]).toBe(String(64 * 1024)); // vsize
    expect(stat[23]).toBe("2"); // rss pages
  });

  it("meminfo, uptime, version and the /proc listing", () => {
    const fk = makeKernel();
    const t = fk.newTask(1);
    const m = cat(fk, t, "/proc/meminfo").split("\n");
    const total = fk.k.mmctx.frames.totalram * 4;
    expect(m[0]).toBe(`MemTotal:       ${String(total).padStart(8)} kB`);
    expect(m[1]).toBe(`MemFree:        ${String(fk.k.mmctx.frames.freeCount * 4).padStart(8)} kB`);
    expect(m.some((l) => l.startsWith("SwapTotal:") && l.endsWith(" 0 kB"))).toBe(true);
    fk.tick(123);
    expect(cat(fk, t, "/proc/uptime")).toBe("1.23 0.00\n");
    expect(cat(fk, t, "/proc/version")).toMatch(/^Linux version 5\.10\.0-vmalab /);
    expect(fk.call(t, NR.readlink, fk.putStr(t, UBUF, "/proc/self"), UBUF + 0x100, 16)).toBe(1);
    const fd = fk.call(t, NR.open, fk.putStr(t, UBUF, "/proc"), 0o200000);
    const n = fk.call(t, NR.getdents64, fd, UBUF + 0x100, 4096);
    const b = fk.get(t, UBUF + 0x100, n);
    const names: string[] = [];
    for (let off = 0; off < n; off += dv(b).getUint16(off + 16, true)) {
      let end = off + 19;
      while (b[end] !== 0) end++;
      names.push(text(b.subarray(off + 19, end)));
    }
    expect(names).toEqual([".", "..", "meminfo", "uptime", "loadavg", "vmstat", "version", "stat", "cpuinfo", "mounts", "self", "1"]);
  });
});

describe("the committed initramfs", () => {
  const path = "userland/build/initramfs.cpio";
  it("boots and holds the programs", () => {
    if (!existsSync(path)) {
      if (process.env.CI === "true") throw new Error(`${path} is missing`);
      console.log(`skipped: ${path} not built yet`);
      return;
    }
    const fk = makeKernel([{ name: "initramfs.cpio", data: new Uint8Array(readFileSync(path)) }]);
    expect(fk.boot.ok).toBe(true);
    const t = fk.newTask(1);
    for (const p of ["/bin/sh", "/bin/cat", "/proc/meminfo", "/dev/console"]) {
      expect([p, fk.call(t, NR.access, fk.putStr(t, UBUF, p), 0)]).toEqual([p, 0]);
    }
    const fd = fk.call(t, NR.open, fk.putStr(t, UBUF, "/bin/sh"), 0);
    expect(fk.call(t, NR.read, fd, UBUF, 4)).toBe(4);
    expect([...fk.get(t, UBUF, 4)]).toEqual([0x7f, 0x45, 0x4c, 0x46]);
  });

  it("an archive with an unknown entry type still boots, with a warning", () => {
    const fk = makeKernel([{ name: "w.cpio", data: newc([{ name: "odd", mode: 0o170644 }]) }]);
    expect(fk.boot.ok && fk.boot.warnings.length).toBe(1);
  });
});
