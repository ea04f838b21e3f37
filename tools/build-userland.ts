// Builds the guest userland: every C program under userland/{sbin,bin,bench,tests}
// is compiled by clang + lld for i386-linux-musl (static, -march=i486) and packed,
// with userland/etc and the empty mount-point directories, into the deterministic
// cpio newc image userland/build/initramfs.cpio.
//
//   npm run build:userland              rebuild userland/build/ (commit initramfs.cpio)
//   npm run build:userland -- --check   rebuild into a temp dir and fail if the
//                                       committed image differs
//
// A program is userland/<dir>/<name>.c or a folder userland/<dir>/<name>/ of .c files;
// it lands at /<dir>/<name> in the image. userland/lib/*.c is linked into every program
// (unused code is dropped by --gc-sections). Test programs keep their symbols and -g.
// Debian's busybox-static (tools/busybox.ts, pinned by version and sha256) is the
// shell and the usual tools: /bin/busybox with its applet links, where an applet's
// path is not one of our programs (/sbin/init stays ours). /bin and /sbin are links
// into /usr, as on Debian 12. The NOTICE naming it is
// written into the image and as NOTICE at the top of the repository.
import { spawn, spawnSync } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, relative, resolve } from "node:path";
import { S_IFDIR, S_IFLNK, S_IFREG, sortCpioEntries, writeCpio, type CpioEntry } from "./cpio.ts";
import { busyboxApplets, busyboxNotice, fetchBusybox } from "./busybox.ts";

const ROOT = resolve(import.meta.dirname, "..");
const SRC = join(ROOT, "userland");
const IMAGE = join(SRC, "build", "initramfs.cpio");
const NOTICE = join(ROOT, "NOTICE");
const MUSL = "/usr/lib/i386-linux-musl";
const MUSL_INCLUDE = "/usr/include/i386-linux-musl";
const BUILTINS = "/usr/lib/llvm-14/lib/clang/14.0.6/lib/linux/libclang_rt.builtins-i386.a";
const JOBS = 2;

/** Program folders, in image order; each maps to /<dir>. */
const PROGRAM_DIRS = ["sbin", "bin", "bench", "tests"];
/** Empty directories the kernel mounts on or programs expect. */
const EMPTY_DIRS: Record<string, number> = { dev: 0o755, proc: 0o755, root: 0o700, tmp: 0o1777 };
/**
 * The image's /usr is merged, as Debian 12's: /bin and /sbin are links to
 * usr/bin and usr/sbin, so a program is found under both names (busybox's
 * wc, installed as usr/bin/wc, is also /bin/wc).
 */
const MERGED: Record<string, string> = { bin: "usr/bin", sbin: "usr/sbin" };
const merged = (path: string): string => {
  const [top, ...rest] = path.split("/");
  return top in MERGED && rest.length > 0 ? [MERGED[top], ...rest].join("/") : path;
};

const COMMON_FLAGS = [
  "--target=i386-linux-musl", "-march=i486",
  "-isystem", MUSL_INCLUDE, "-I", "userland/lib", "-D_GNU_SOURCE",
  "-std=c11", "-Wall", "-Wextra", "-Wno-unused-parameter", "-Werror",
  "-ffunction-sections", "-fdata-sections", "-fno-stack-protector",
  `-ffile-prefix-map=${ROOT}=.`, "-fdebug-compilation-dir=.",
];
const OPT_FLAGS = ["-Os", "-fno-asynchronous-unwind-tables", "-fno-unwind-tables"];
const TEST_FLAGS = ["-O1", "-g"];
const LINK_FLAGS = ["-static", "-nostdlib", "-fuse-ld=lld", "-Wl,--gc-sections", "-Wl,--build-id=none", "-Wl,--hash-style=gnu"];

interface Program {
  dir: string;
  name: string;
  sources: string[];
}

function fail(msg: string): never {
  console.error(`build:userland: ${msg}`);
  process.exit(1);
}

/** Returns why the toolchain cannot be used, or null when it is complete. */
function missingToolchain(): string | null {
  const r = spawnSync("clang", ["--version"], { encoding: "utf8" });
  if (r.error || r.status !== 0) return "clang is not installed (apt-get install clang lld)";
  if (!existsSync(join(MUSL, "libc.a"))) return `${MUSL}/libc.a is missing (apt-get install musl-dev:i386)`;
  if (!existsSync(BUILTINS)) return `${BUILTINS} is missing (apt-get install libclang-rt-14-dev)`;
  const l = spawnSync("ld.lld", ["--version"], { encoding: "utf8" });
  if (l.error || l.status !== 0) return "ld.lld is not installed (apt-get install lld)";
  return null;
}

const rel = (p: string): string => relative(ROOT, p);

function listPrograms(): Program[] {
  const programs: Program[] = [];
  for (const dir of PROGRAM_DIRS) {
    const base = join(SRC, dir);
    if (!existsSync(base)) continue;
    for (const ent of readdirSync(base, { withFileTypes: true }).sort((a, b) => (a.name < b.name ? -1 : 1))) {
      if (ent.isFile() && ent.name.endsWith(".c")) {
        programs.push({ dir, name: ent.name.slice(0, -2), sources: [rel(join(base, ent.name))] });
      } else if (ent.isDirectory()) {
        const files = readdirSync(join(base, ent.name)).filter((f) => f.endsWith(".c")).sort();
        if (files.length) programs.push({ dir, name: ent.name, sources: files.map((f) => rel(join(base, ent.name, f))) });
      }
    }
  }
  return programs;
}

function run(what: string, args: string[]): Promise<void> {
  return new Promise((res, rej) => {
    const child = spawn("clang", args, { cwd: ROOT, stdio: ["ignore", "inherit", "pipe"] });
    let err = "";
    child.stderr.on("data", (d: Buffer) => (err += d.toString()));
    child.on("error", rej);
    child.on("close", (code) => (code === 0 ? res() : rej(new Error(`${what} failed:\n${err.trimEnd()}`))));
  });
}

async function pool<T>(items: T[], work: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < items.length) await work(items[next++]);
  };
  await Promise.all(Array.from({ length: Math.min(JOBS, items.length) }, worker));
}

/** Compiles lib objects and every program under out/; returns the image entries. */
async function build(out: string): Promise<CpioEntry[]> {
  rmSync(join(out, "obj"), { recursive: true, force: true });
  rmSync(join(out, "root"), { recursive: true, force: true });
  mkdirSync(join(out, "obj"), { recursive: true });

  const libSources = readdirSync(join(SRC, "lib")).filter((f) => f.endsWith(".c")).sort();
  const libObjects = libSources.map((f) => join(out, "obj", f.replace(/\.c$/, ".o")));
  await pool(libSources.map((f, i) => [f, libObjects[i]] as const), ([f, obj]) =>
    // Library code is shared by tests too, so it keeps debug info; programs are stripped at link.
    run(`compiling userland/lib/${f}`, [...COMMON_FLAGS, "-O1", "-g", "-c", `userland/lib/${f}`, "-o", obj]),
  );

  const programs = listPrograms();
  await pool(programs, async (p) => {
    const dest = join(out, "root", p.dir, p.name);
    mkdirSync(join(out, "root", p.dir), { recursive: true });
    const isTest = p.dir === "tests";
    await run(`building ${p.dir}/${p.name}`, [
      ...COMMON_FLAGS, ...(isTest ? TEST_FLAGS : OPT_FLAGS), ...LINK_FLAGS, ...(isTest ? [] : ["-s"]),
      ...p.sources, ...libObjects,
      `${MUSL}/crt1.o`, `${MUSL}/crti.o`, `${MUSL}/libc.a`, BUILTINS, `${MUSL}/crtn.o`,
      "-o", dest,
    ]);
    process.stdout.write(`  ${p.dir}/${p.name}\n`);
  });

  const busybox = fetchBusybox();
  if ("error" in busybox) fail(busybox.error);

  const entries: CpioEntry[] = [];
  const dirs = new Set<string>();
  const addDirs = (path: string): void => {
    const parts = path.split("/");
    for (let i = 1; i < parts.length; i++) {
      const d = parts.slice(0, i).join("/");
      if (!dirs.has(d)) entries.push({ name: d, mode: S_IFDIR | 0o755 });
      dirs.add(d);
    }
  };
  for (const [dir, perm] of Object.entries(EMPTY_DIRS)) {
    entries.push({ name: dir, mode: S_IFDIR | perm });
    dirs.add(dir);
  }
  for (const [link, to] of Object.entries(MERGED)) entries.push({ name: link, mode: S_IFLNK | 0o777, data: new TextEncoder().encode(to) });
  const files = new Set<string>();
  for (const p of programs) {
    const name = merged(`${p.dir}/${p.name}`);
    addDirs(name);
    files.add(name);
    entries.push({ name, mode: S_IFREG | 0o755, data: readFileSync(join(out, "root", p.dir, p.name)) });
  }
  const busyboxPath = merged("bin/busybox");
  addDirs(busyboxPath);
  entries.push({ name: busyboxPath, mode: S_IFREG | 0o755, data: busybox });
  const target = new TextEncoder().encode("/bin/busybox");
  for (const applet of busyboxApplets(busybox).map(merged)) {
    if (applet === busyboxPath || files.has(applet)) continue;
    addDirs(applet);
    entries.push({ name: applet, mode: S_IFLNK | 0o777, data: target });
  }
  entries.push({ name: "NOTICE", mode: S_IFREG | 0o644, data: new TextEncoder().encode(busyboxNotice()) });
  for (const f of readdirSync(join(SRC, "etc")).sort()) {
    const path = join(SRC, "etc", f);
    if (!statSync(path).isFile()) continue;
    addDirs(`etc/${f}`);
    entries.push({ name: `etc/${f}`, mode: S_IFREG | 0o644, data: readFileSync(path) });
  }
  return sortCpioEntries(entries);
}

/** Byte offset and archive entry name of the first difference, for the check message. */
function describeDifference(a: Uint8Array, b: Uint8Array): string {
  let i = 0;
  while (i < a.length && i < b.length && a[i] === b[i]) i++;
  const text = new TextDecoder("latin1").decode(b.subarray(0, i));
  const at = text.lastIndexOf("070701");
  const name = at >= 0 ? text.slice(at + 110).split("\0")[0] : "?";
  return `first difference at byte ${i} (in or after entry "${name}"); committed ${a.length} bytes, rebuilt ${b.length} bytes`;
}

async function main(): Promise<void> {
  const check = process.argv.includes("--check");
  const missing = missingToolchain();
  if (missing) {
    if (check && process.env.CI !== "true") {
      console.log(`build:userland --check: skipped: ${missing}`);
      return;
    }
    fail(missing);
  }
  if (check) {
    const tmp = mkdtempSync(join(tmpdir(), "vmalab-userland-"));
    try {
      const image = writeCpio(await build(tmp));
      if (!existsSync(IMAGE)) fail(`${rel(IMAGE)} is missing; run npm run build:userland and commit it`);
      const committed = readFileSync(IMAGE);
      if (Buffer.compare(committed, image) !== 0) {
        fail(`${rel(IMAGE)} is out of date: ${describeDifference(committed, image)}; ` +
          "run npm run build:userland and commit the result");
      }
      if (!existsSync(NOTICE) || readFileSync(NOTICE, "utf8") !== busyboxNotice()) {
        fail(`${rel(NOTICE)} is out of date; run npm run build:userland and commit it`);
      }
      console.log(`build:userland --check: ${rel(IMAGE)} and ${rel(NOTICE)} are up to date (${image.length} bytes)`);
    } finally {
      rmSync(tmp, { recursive: true, force: true });
    }
    return;
  }
  const out = join(SRC, "build");
  mkdirSync(out, { recursive: true });
  const release = await lockBuildDir(out);
  try {
    const image = writeCpio(await build(out));
    // Written whole, then renamed: a test reading the image never sees half of one.
    writeFileSync(`${IMAGE}.tmp`, image);
    renameSync(`${IMAGE}.tmp`, IMAGE);
    writeFileSync(NOTICE, busyboxNotice());
    console.log(`build:userland: wrote ${rel(IMAGE)} (${image.length} bytes)`);
  } finally {
    release();
  }
}

/**
 * Takes the build directory for this process (a lock file holding its pid),
 * waiting while another live build holds it; a lock left by a dead process is
 * taken over. Returns the function that releases it.
 */
async function lockBuildDir(out: string): Promise<() => void> {
  const lock = join(out, ".lock");
  for (let waited = 0; ; waited += 250) {
    try {
      writeFileSync(lock, String(process.pid), { flag: "wx" });
      return () => rmSync(lock, { force: true });
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== "EEXIST") throw e;
    }
    let text: string;
    try {
      text = readFileSync(lock, "utf8");
    } catch {
      continue; // released meanwhile
    }
    const holder = Number(text);
    if (text !== "" && !processAlive(holder)) {
      rmSync(lock, { force: true });
      continue;
    }
    if (waited === 0) console.log(`build:userland: waiting for the build of process ${holder}`);
    if (waited > 600_000) fail(`another build (process ${holder}) has held ${rel(lock)} for 10 minutes`);
    await new Promise((r) => setTimeout(r, 250));
  }
}

function processAlive(pid: number): boolean {
  if (!Number.isInteger(pid) || pid <= 0) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === "EPERM";
  }
}

main().catch((e: unknown) => fail(e instanceof Error ? e.message : String(e)));
