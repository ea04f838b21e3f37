// The reference an i386 Linux program is checked against: this host's own kernel
// and CPU when it executes i386 ELF (an x86 kernel, or x86_64 with IA32 emulation),
// otherwise Debian's qemu-user. Every test and script that runs a guest binary "natively"
// goes through here, so the choice is made once and each caller can say why it skips.
//
// qemu-user is a reference with limits, and callers handle the ones that matter to them:
// - It emulates a process, not a kernel: madvise advice is ignored (MADV_REMOVE returns 0
//   and frees nothing), clone(CLONE_VM) without CLONE_THREAD and vfork() behave as fork(),
//   the stack is one fixed mapping that never grows, brk never unmaps, RSS and /proc/PID
//   show qemu itself, and it builds the initial stack and getdents64 records its own way.
// - A program that execve()s another i386 program needs the kernel to know qemu-i386 in
//   binfmt_misc (tools/binfmt-qemu-i386.sh registers it; .ci/run runs it as root). Plain
//   `qemu-i386 prog` cannot exec. With the binfmt entry, every i386 exec on the host goes
//   through qemu, so the probe reads binfmt_misc to tell that apart from a native run.
// - Its timings are an emulator's: benchmarks never take them as native figures.

import { execFileSync, spawnSync, type ExecFileSyncOptions, type SpawnSyncOptions, type SpawnSyncReturns } from "node:child_process";
import { accessSync, chmodSync, constants, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { delimiter, join } from "node:path";

export type I386Kind = "native" | "qemu-user";

export interface I386Reference {
  /** How i386 programs run on this host, or null when they cannot. */
  kind: I386Kind | null;
  /** The qemu-i386 to put in front of a program, when it has to be named (no binfmt entry). */
  qemu: string | null;
  /** Whether a reference program can execve() other i386 programs. */
  exec: boolean;
  /** What runs them ("this host's kernel", "qemu-user through binfmt_misc", ...), or why nothing can. */
  how: string;
}

const BINFMT = "/proc/sys/fs/binfmt_misc";

/** A 96-byte static i386 ELF that calls exit(42) through int 0x80 (the same bytes as tools/binfmt-qemu-i386.sh). */
function probeElf(): Uint8Array {
  const b = new Uint8Array(96);
  const v = new DataView(b.buffer);
  b.set([0x7f, 0x45, 0x4c, 0x46, 1, 1, 1]); // ELFCLASS32, ELFDATA2LSB, EV_CURRENT
  v.setUint16(16, 2, true); // ET_EXEC
  v.setUint16(18, 3, true); // EM_386
  v.setUint32(20, 1, true);
  v.setUint32(24, 0x08048054, true); // entry: the code after the one program header
  v.setUint32(28, 52, true); // e_phoff
  v.setUint16(40, 52, true); // e_ehsize
  v.setUint16(42, 32, true); // e_phentsize
  v.setUint16(44, 1, true); // e_phnum
  const ph = 52;
  v.setUint32(ph, 1, true); // PT_LOAD of the whole file at 0x08048000, r-x
  v.setUint32(ph + 8, 0x08048000, true);
  v.setUint32(ph + 12, 0x08048000, true);
  v.setUint32(ph + 16, 96, true);
  v.setUint32(ph + 20, 96, true);
  v.setUint32(ph + 24, 5, true);
  v.setUint32(ph + 28, 0x1000, true);
  b.set([0xb8, 1, 0, 0, 0, 0xbb, 42, 0, 0, 0, 0xcd, 0x80], 84); // mov eax,1; mov ebx,42; int 0x80
  return b;
}

/** The enabled binfmt_misc entry whose interpreter is qemu-i386, if any. */
function qemuBinfmtEntry(): string | null {
  let names: string[];
  try {
    names = readdirSync(BINFMT);
  } catch {
    return null;
  }
  for (const n of names) {
    if (n === "register" || n === "status") continue;
    try {
      const text = readFileSync(join(BINFMT, n), "utf8");
      if (/^enabled$/m.test(text) && /^interpreter \S*qemu-i386\S*$/m.test(text)) return n;
    } catch {
      // an entry removed while we looked
    }
  }
  return null;
}

/** qemu-i386's absolute path from PATH, so that a caller's own env cannot hide it. */
function findQemu(): string | null {
  for (const d of (process.env.PATH ?? "").split(delimiter)) {
    const p = join(d || ".", "qemu-i386");
    try {
      accessSync(p, constants.X_OK);
      return p;
    } catch {
      // not here
    }
  }
  return null;
}

function probe(): I386Reference {
  if (process.platform !== "linux") return { kind: null, qemu: null, exec: false, how: `the host is ${process.platform}, not Linux` };
  const dir = mkdtempSync(join(tmpdir(), "vmalab-i386-probe-"));
  try {
    const elf = join(dir, "exit42");
    writeFileSync(elf, probeElf());
    chmodSync(elf, 0o755);
    // libuv's exec falls back to /bin/sh on ENOEXEC, so only the exit status proves a run.
    if (spawnSync(elf, [], { stdio: "ignore", timeout: 10_000 }).status === 42) {
      const entry = qemuBinfmtEntry();
      return entry
        ? { kind: "qemu-user", qemu: null, exec: true, how: `qemu-user, through binfmt_misc entry '${entry}'` }
        : { kind: "native", qemu: null, exec: true, how: "this host's kernel and CPU" };
    }
    const qemu = findQemu();
    const q = qemu ? spawnSync(qemu, [elf], { stdio: "ignore", timeout: 10_000 }) : null;
    if (q?.status === 42) {
      return { kind: "qemu-user", qemu, exec: false, how: "qemu-i386 without a binfmt_misc entry (run tools/binfmt-qemu-i386.sh as root to let programs exec)" };
    }
    const why = q ? `qemu-i386 exited with ${q.status ?? q.signal}` : "qemu-i386 is not installed (apt-get install qemu-user)";
    return { kind: null, qemu: null, exec: false, how: `this host cannot execute i386 Linux programs (no IA32 support in its kernel) and ${why}` };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

let cached: I386Reference | null = null;

/** Probes once per process how this host runs i386 Linux programs. */
export function i386Reference(): I386Reference {
  return (cached ??= probe());
}

export interface I386Need {
  /** The program execve()s other i386 programs. */
  exec?: boolean;
  /** Only this host's own kernel will do (qemu-user is known to differ for what is checked). */
  native?: boolean;
}

/** Why a reference run with these needs cannot happen on this host, or null when it can. */
export function i386Unavailable(need: I386Need = {}): string | null {
  const r = i386Reference();
  if (!r.kind) return r.how;
  if (need.native && r.kind !== "native") return `this host's kernel does not run i386 programs itself (they run under ${r.how})`;
  if (need.exec && !r.exec) return `the program execs others, which ${r.how} cannot do`;
  return null;
}

/** The command line that runs `path` with `args` on this host. Precondition: a reference exists. */
export function i386Command(path: string, args: readonly string[]): [string, string[]] {
  const r = i386Reference();
  if (!r.kind) throw new Error(`i386Command: ${r.how}`);
  return r.qemu ? [r.qemu, [path, ...args]] : [path, [...args]];
}

/** spawnSync of an i386 program through the reference (see i386Command). */
export function spawnI386(path: string, args: readonly string[], opts: SpawnSyncOptions & { encoding: BufferEncoding }): SpawnSyncReturns<string>;
export function spawnI386(path: string, args: readonly string[], opts?: SpawnSyncOptions): SpawnSyncReturns<Buffer>;
export function spawnI386(path: string, args: readonly string[], opts: SpawnSyncOptions = {}): SpawnSyncReturns<string | Buffer> {
  const [file, argv] = i386Command(path, args);
  return spawnSync(file, argv, opts);
}

/** execFileSync of an i386 program through the reference: throws on a non-zero exit, as execFileSync does. */
export function execI386(path: string, args: readonly string[] = [], opts: ExecFileSyncOptions = {}): Buffer {
  const [file, argv] = i386Command(path, args);
  return execFileSync(file, argv, { ...opts, encoding: "buffer" }) as Buffer;
}

/**
 * For a test about to make a reference run: null when it can, else the reason after
 * logging it (the caller returns, skipping). When CI=true it throws instead if what is
 * missing can be installed (qemu-user, its binfmt entry); a check that only a host
 * kernel with IA32 support can make is skipped everywhere, as no package provides one.
 */
export function needI386(need: I386Need = {}): string | null {
  const why = i386Unavailable(need);
  if (why === null) return null;
  if (process.env.CI === "true" && i386Unavailable({ exec: need.exec }) !== null) throw new Error(why);
  console.log(`skipped: ${why}`);
  return why;
}
