// The guest userland: the cpio newc writer, the committed initramfs image, and the
// programs themselves run on the i386 reference (this host's kernel, or qemu-user:
// tests/support/i386-reference.ts): guest tests must PASS, benchmarks must print
// well-formed lines; plus the reproducibility check when clang is present. Debian's
// busybox, the shell and tools, is compared with the reference in busybox.test.ts.
import { spawnSync } from "node:child_process";
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { S_IFDIR, S_IFLNK, S_IFMT, S_IFREG, sortCpioEntries, writeCpio, type CpioEntry } from "../../tools/cpio.ts";
import { i386Reference, i386Unavailable, spawnI386 } from "../support/i386-reference.ts";
import { readCpioEntries as readCpio } from "../support/cpio-read.ts";

const ROOT = resolve(import.meta.dirname, "../..");
const IMAGE = join(ROOT, "userland/build/initramfs.cpio");
const CI = process.env.CI === "true";

/** Programs expected in the image, from the source tree: <dir>/<name>(.c | /), bin and sbin under usr/. */
function expectedPrograms(): string[] {
  const names: string[] = [];
  for (const dir of ["sbin", "bin", "bench", "tests"]) {
    const at = dir === "bin" || dir === "sbin" ? `usr/${dir}` : dir;
    for (const ent of readdirSync(join(ROOT, "userland", dir), { withFileTypes: true })) {
      if (ent.isFile() && ent.name.endsWith(".c")) names.push(`${at}/${ent.name.slice(0, -2)}`);
      else if (ent.isDirectory()) names.push(`${at}/${ent.name}`);
    }
  }
  return names.sort();
}

describe("cpio newc writer", () => {
  it("writes headers, padding and the trailer that a reader accepts", () => {
    const entries: CpioEntry[] = [
      { name: "bin", mode: S_IFDIR | 0o755 },
      { name: "bin/a", mode: S_IFREG | 0o755, data: new Uint8Array([1, 2, 3]) },
      { name: "etc/l", mode: S_IFLNK | 0o777, data: new TextEncoder().encode("/bin/a") },
    ];
    const img = writeCpio(entries);
    expect(img.length % 4).toBe(0);
    expect(new TextDecoder().decode(img.subarray(0, 110))).toBe(
      "070701" + "00000001" + "000041ED" + "00000000" + "00000000" + "00000002" + "00000000" +
        "00000000" + "00000000" + "00000000" + "00000000" + "00000000" + "00000004" + "00000000",
    );
    const back = readCpio(img);
    expect(back.map((e) => [e.name, e.ino, e.mode, e.nlink, e.data.length])).toEqual([
      ["bin", 1, S_IFDIR | 0o755, 2, 0],
      ["bin/a", 2, S_IFREG | 0o755, 1, 3],
      ["etc/l", 3, S_IFLNK | 0o777, 1, 6],
    ]);
    expect([...back[1].data]).toEqual([1, 2, 3]);
    // Header 110 + "bin/a\0" = 116 (aligned), data 3 -> padded to 4.
    expect(img.subarray(124, 236).length).toBe(112);
  });

  it("rejects bad names, duplicates and data on directories", () => {
    expect(() => writeCpio([{ name: "/abs", mode: S_IFREG | 0o644 }])).toThrow(/bad entry name "\/abs"/);
    expect(() => writeCpio([{ name: "a/../b", mode: S_IFREG | 0o644 }])).toThrow(/"\.\." component/);
    expect(() => writeCpio([{ name: "x", mode: S_IFREG }, { name: "x", mode: S_IFREG }])).toThrow(/duplicate entry "x"/);
    expect(() => writeCpio([{ name: "d", mode: S_IFDIR, data: new Uint8Array(1) }])).toThrow(/only regular files/);
    expect(() => writeCpio([{ name: "u", mode: S_IFREG, uid: -1 }])).toThrow(/uid -1 does not fit/);
  });

  it("sorts by path component so directories precede their contents", () => {
    const sorted = sortCpioEntries(["bin-x", "bin/sh", "bin", "a/b/c", "a"].map((name) => ({ name, mode: S_IFREG })));
    expect(sorted.map((e) => e.name)).toEqual(["a", "a/b/c", "bin", "bin/sh", "bin-x"]);
  });
});

describe("committed initramfs", () => {
  const entries = readCpio(new Uint8Array(readFileSync(IMAGE)));
  const byName = new Map(entries.map((e) => [e.name, e]));

  it("is deterministic: sorted, inodes in order, uid/gid/mtime 0", () => {
    expect(entries.map((e) => e.name)).toEqual(sortCpioEntries(entries).map((e) => e.name));
    entries.forEach((e, i) => {
      expect([e.name, e.ino, e.uid, e.gid, e.mtime]).toEqual([e.name, i + 1, 0, 0, 0]);
    });
  });

  it("holds the directory skeleton and /etc files", () => {
    for (const [link, to] of [["bin", "usr/bin"], ["sbin", "usr/sbin"]]) {
      expect(byName.get(link)?.mode, link).toBe(S_IFLNK | 0o777);
      expect(new TextDecoder().decode(byName.get(link)?.data), link).toBe(to);
    }
    for (const [dir, perm] of [["usr/bin", 0o755], ["usr/sbin", 0o755], ["etc", 0o755], ["dev", 0o755], ["proc", 0o755],
      ["tmp", 0o1777], ["root", 0o700], ["tests", 0o755], ["bench", 0o755]] as const) {
      expect(byName.get(dir)?.mode, dir).toBe(S_IFDIR | perm);
    }
    const passwd = new TextDecoder().decode(byName.get("etc/passwd")?.data);
    expect(passwd.split("\n")[0]).toBe("root:x:0:0:root:/root:/bin/sh");
    expect(byName.get("etc/profile")?.mode).toBe(S_IFREG | 0o644);
  });

  it("contains every program as a static i386 ELF, mode 0755; only tests keep symbols", () => {
    const programs = entries.filter((e) => (e.mode & S_IFMT) === S_IFREG && !e.name.startsWith("etc/") && e.name !== "NOTICE");
    expect(programs.map((e) => e.name).sort()).toEqual([...expectedPrograms(), "usr/bin/busybox"].sort());
    for (const p of programs) {
      const d = p.data;
      const view = new DataView(d.buffer, d.byteOffset, d.byteLength);
      expect(p.mode, p.name).toBe(S_IFREG | 0o755);
      expect([...d.subarray(0, 6)], p.name).toEqual([0x7f, 0x45, 0x4c, 0x46, 1, 1]); // ELF, 32-bit, LSB
      expect(view.getUint16(16, true), p.name).toBe(2); // ET_EXEC
      expect(view.getUint16(18, true), p.name).toBe(3); // EM_386
      const phoff = view.getUint32(28, true);
      const phnum = view.getUint16(44, true);
      for (let i = 0; i < phnum; i++) {
        expect(view.getUint32(phoff + 32 * i, true), `${p.name}: PT_INTERP`).not.toBe(3);
      }
      const hasSymtab = Buffer.from(d).includes(".symtab\0");
      expect(hasSymtab, p.name).toBe(p.name.startsWith("tests/"));
    }
  });

  it("has busybox's applets as links to /bin/busybox, our own programs where they add something, and the NOTICE", () => {
    const links = entries.filter((e) => (e.mode & S_IFMT) === S_IFLNK && e.name !== "bin" && e.name !== "sbin");
    for (const l of links) expect(new TextDecoder().decode(l.data), l.name).toBe("/bin/busybox");
    const names = new Set(links.map((l) => l.name));
    for (const applet of ["usr/bin/sh", "usr/bin/ash", "usr/bin/ls", "usr/bin/ps", "usr/bin/awk", "usr/bin/sed", "usr/bin/grep", "usr/bin/sort", "usr/bin/sha256sum", "usr/bin/env", "usr/bin/vi", "usr/bin/wc"]) {
      expect(names.has(applet), applet).toBe(true);
    }
    expect(byName.get("usr/sbin/init")?.mode, "our init, not busybox's").toBe(S_IFREG | 0o755);
    for (const ours of ["usr/bin/vmstat", "usr/bin/memhog", "usr/bin/sysfuzz"]) expect(byName.get(ours)?.mode, ours).toBe(S_IFREG | 0o755);
    const notice = new TextDecoder().decode(byName.get("NOTICE")?.data);
    expect(notice).toBe(readFileSync(join(ROOT, "NOTICE"), "utf8"));
    expect(notice).toMatch(/busybox-static:i386 1:1\.35\.0-4\+deb12u1\+b1/);
    expect(notice).toMatch(/licence GPL-2/);
    expect(notice).toMatch(/source package busybox 1:1\.35\.0-4\+deb12u1/);
  });
});

/**
 * Extracts the committed image into a temp dir and checks that its programs run there.
 * They exec one another (sh, the spawning benchmarks), so the reference must allow exec.
 */
function prepareNative(): { dir: string; reason: string | null } {
  const dir = mkdtempSync(join(tmpdir(), "vmalab-userland-test-"));
  for (const e of readCpio(new Uint8Array(readFileSync(IMAGE)))) {
    const path = join(dir, e.name);
    if ((e.mode & S_IFMT) === S_IFDIR) mkdirSync(path, { recursive: true });
    else if ((e.mode & S_IFMT) === S_IFREG) {
      writeFileSync(path, e.data);
      chmodSync(path, e.mode & 0o777);
    } else if ((e.mode & S_IFMT) === S_IFLNK) {
      // The image's absolute links name the guest's root; here it is dir.
      symlinkSync(join(dir, new TextDecoder().decode(e.data)), path);
    }
  }
  const missing = i386Unavailable({ exec: true });
  if (missing) return { dir, reason: missing };
  const r = spawnI386(join(dir, "bench/nop"), [], { timeout: 10_000 });
  if (r.error) return { dir, reason: `bench/nop: ${r.error.message}` };
  if (r.status !== 0) return { dir, reason: `bench/nop exited with ${r.status} ${r.signal ?? ""}` };
  return { dir, reason: null };
}

// Guest checks that qemu-user cannot make, because it emulates a process and not a kernel
// (qemu 7.2; see tests/support/i386-reference.ts). Under qemu-user a FAIL of one of these
// is reported as skipped; every other check must still PASS.
const QEMU_USER_CANNOT = new Map<string, string>(Object.entries({
  brk_shrunk_page_faults: "qemu's brk never unmaps the pages it gave",
  clone_vm_exit: "qemu runs clone(CLONE_VM) without CLONE_THREAD as fork()",
  clone_vm_shares_memory: "qemu runs clone(CLONE_VM) without CLONE_THREAD as fork()",
  clone_vm_exec: "qemu runs clone(CLONE_VM) without CLONE_THREAD as fork()",
  vfork_shares_memory: "qemu runs vfork() as fork()",
  enomem_mprotect_unmapped: "qemu's mprotect accepts unmapped pages",
  enomem_rlimit_as: "qemu reserves the guest's whole address space up front",
  ...Object.fromEntries(["rss_grows", "vmhwm_stays_at_peak", "vmpeak_stays_at_peak"].map((n) => [n, "VmRSS, VmHWM and VmPeak are qemu's own"])),
  stack_vma_grew: "qemu maps the stack once at its full size",
  truncate_shared_sigbus: "qemu reports another si_addr for SIGBUS",
  ...Object.fromEntries(["mlock2_onfault", "mlock2_bad_flags"].map((n) => [n, "qemu 7.2 does not implement mlock2 (ENOSYS)"])),
  mlockall: "VmLck and VmSize are qemu's own",
  mmap_min_addr_user: "qemu maps guest page 0 at an offset in its own address space",
  maps_at_read: "qemu writes /proc/self/maps when it is opened",
  proc_stat_utime: "qemu writes its own /proc/self/stat, with zero times",
  fpu_signal_handler: "qemu 7.2 does not give the x87 state back at sigreturn",
  ...Object.fromEntries(["fpu_sigfpe_divide", "fpu_sigfpe_invalid"].map((n) => [n, "qemu's x87 never raises #MF, so unmasked exceptions send no SIGFPE"])),
  msync_hole_enomem: "qemu keeps its own reservation in a guest hole, so the host's msync finds it mapped",
  ...Object.fromEntries(["zero_page_no_rss", "zero_page_write_allocates"].map((n) => [n, "VmRSS is qemu's own"])),
  ...Object.fromEntries(
    ["frees_blocks", "zeros", "other_mappings", "read_zero", "private_anon_einval", "private_file_eacces", "readonly_eacces", "shared_anon_zeros"].map((n) => [
      `madv_remove_${n}`,
      "qemu ignores madvise advice",
    ]),
  ),
  sysv_madv_remove: "qemu ignores madvise advice",
  statfs64_bad_size_einval: "qemu's statfs64 ignores its size argument",
}));

// Guest test programs qemu-user cannot run at all.
const QEMU_USER_CANNOT_RUN = new Map<string, string>([
  ["ioport", "qemu-user implements neither iopl nor ioperm (ENOSYS)"],
  ["selectors", "qemu 7.2 neither checks TLS descriptors nor reloads segment registers on return, and aborts on a sigreturn to an empty TLS selector"],
  ["hostile", "qemu 7.2 checks neither segment limits and types nor TLS descriptors, reloads no segment register on return and emulates no IRET fault"],
  ["ptrace", "qemu 7.2 user mode has no ptrace: the system call fails with ENOSYS"],
]);

// Guest checks where an x86_64 kernel running i386 programs (its ia32 compat layer) differs
// from an i386 kernel, which vmalab is.
const X86_64_COMPAT_DIFFERS = new Map<string, string>([
  ["ptrace_peekuser_past_end_eio", "an x86_64 kernel's ia32 PTRACE_PEEKUSR (arch/x86/kernel/ptrace.c) reads 0 past struct user, where an i386 kernel gives EIO"],
]);

/** Why the reference cannot make the check a FAIL line names, or undefined. */
function referenceCannot(line: string): string | undefined {
  const name = /^FAIL (\w+)/.exec(line)?.[1];
  if (!name) return undefined;
  const kind = i386Reference().kind;
  if (kind === "qemu-user") return QEMU_USER_CANNOT.get(name);
  return kind === "native" && process.arch === "x64" ? X86_64_COMPAT_DIFFERS.get(name) : undefined;
}

const native = prepareNative();
afterAll(() => rmSync(native.dir, { recursive: true, force: true }));
if (native.reason) console.log(`userland native tests skipped: ${native.reason}`);

describe("native host run", () => {
  it("can execute i386 binaries here (required when CI=true)", () => {
    if (native.reason && CI) throw new Error(native.reason);
  });

  const run = (prog: string, args: string[], opts: { input?: string; env?: Record<string, string>; cwd?: string } = {}) =>
    spawnI386(join(native.dir, prog), args, {
      input: opts.input ?? "",
      encoding: "utf8",
      timeout: 60_000,
      cwd: opts.cwd ?? native.dir,
      env: opts.env ?? { PATH: join(native.dir, "bin"), HOME: native.dir },
    });

  const testPrograms = existsSync(join(ROOT, "userland/tests"))
    ? readdirSync(join(ROOT, "userland/tests")).filter((f) => f.endsWith(".c")).map((f) => f.slice(0, -2)).sort()
    : [];

  describe.skipIf(native.reason !== null)("guest tests", () => {
    it.each(testPrograms)("tests/%s passes", (name) => {
      const cannotRun = i386Reference().kind === "qemu-user" ? QEMU_USER_CANNOT_RUN.get(name) : undefined;
      if (cannotRun) return console.log(`tests/${name}: skipped under qemu-user: ${cannotRun}`);
      const r = run(`tests/${name}`, []);
      const lines = r.stdout.split("\n").filter((l) => l !== "");
      const cannot = lines.filter((l) => referenceCannot(l) !== undefined);
      for (const l of cannot) console.log(`tests/${name}: not comparable on ${i386Reference().how} (${referenceCannot(l)}): ${l}`);
      const failures = lines.filter((l) => !l.startsWith("PASS ") && !l.startsWith("SKIP ") && !cannot.includes(l));
      expect(failures, r.stderr).toEqual([]);
      expect(lines.length).toBeGreaterThan(0);
      expect(r.status, r.stderr).toBe(cannot.length ? 1 : 0);
    });
  });

  describe.skipIf(native.reason !== null)("benchmarks (tiny counts)", () => {
    const LINE = /^bench (\w+) (-|\w+=\d+) ops=(\d+) ns=(\d+) ns_per_op=(\d+)((?: \w+=\S+)*)$/;
    const cases: [string, string[], string[]][] = [
      ["fork_exit", ["-n", "3"], ["fork_exit -"]],
      ["fork_exec", ["-n", "3"], ["fork_exec -"]],
      ["shell_spawn", ["-n", "3"], ["shell_spawn -"]],
      ["spawn", ["-t", "20"], ["spawn ms=20"]],
      ["execl", ["-t", "20"], ["execl ms=20"]],
      ["fork_touch", ["-n", "2", "16", "256"], ["fork_touch k=16", "fork_touch k=256"]],
      ["fork_vmas", ["-n", "2", "4", "64"], ["fork_vmas v=4", "fork_vmas v=64"]],
      ["fork_tree", ["-n", "1", "3"], ["fork_tree d=3"]],
      ["zap_sparse", ["-n", "2", "64"], ["zap_sparse mb=64"]],
      ["fork_shmap", ["-n", "2", "4"], ["fork_shmap mb=4"]],
      ["fork_bomb", ["-l", "8"], ["fork_bomb limit=8"]],
    ];
    it.each(cases)("bench/%s prints result lines", (prog, args, heads) => {
      const r = run(`bench/${prog}`, args);
      expect(r.status, r.stdout + r.stderr).toBe(0);
      const lines = r.stdout.trimEnd().split("\n");
      expect(lines.map((l) => l.split(" ").slice(1, 3).join(" "))).toEqual(heads);
      for (const l of lines) {
        const m = LINE.exec(l);
        expect(m, l).not.toBeNull();
        const [ops, ns, per] = [Number(m![3]), Number(m![4]), Number(m![5])];
        expect(ops).toBeGreaterThan(0);
        expect(per).toBe(Math.floor(ns / ops));
      }
    });

    it("bench extras are fixed by the arguments", () => {
      expect(run("bench/fork_tree", ["-n", "1", "4"]).stdout).toMatch(/ procs=15\n$/);
      expect(run("bench/zap_sparse", ["-n", "1", "64", "1024"]).stdout).toMatch(/ stride_kb=1024 pages=64\n$/);
      expect(run("bench/fork_vmas", ["-n", "1", "-u", "8"]).stdout).toMatch(/ touched=0\n$/);
      expect(run("bench/fork_shmap", ["-n", "1", "2", native.dir]).stdout).toMatch(/^bench fork_shmap mb=2 ops=1 .* pages=512\n$/);
      expect(readdirSync(native.dir).filter((f) => f.startsWith("fork_shmap."))).toEqual([]); // unlinked once mapped
      expect(run("bench/fork_shmap", ["-n", "1", "2", join(native.dir, "no-such-dir")]).stdout).toBe("bench fork_shmap mb=2 error=open\n");
      const bomb = run("bench/fork_bomb", ["-l", "8"]).stdout;
      const m = / ops=(\d+) .* stop=(EAGAIN|cap)\n$/.exec(bomb);
      expect(m, bomb).not.toBeNull();
      expect(Number(m![1])).toBeLessThanOrEqual(16);
      expect(run("bench/fork_exit", ["-n", "x"]).status).toBe(2);
    });
  });
});

describe("reproducible build", () => {
  const clang = spawnSync("clang", ["--version"]);
  const reason = clang.error ? "clang is not installed" : null;
  if (reason) console.log(`userland rebuild check skipped: ${reason}`);
  it.skipIf(reason !== null && !CI)("npm run build:userland -- --check matches the committed image", () => {
    const r = spawnSync(process.execPath, ["bin/run-ts.mjs", "tools/build-userland.ts", "--check"], {
      cwd: ROOT,
      encoding: "utf8",
      timeout: 300_000,
    });
    expect(r.stderr + r.stdout).toMatch(/are up to date/);
    expect(r.status).toBe(0);
  }, 300_000);
});
