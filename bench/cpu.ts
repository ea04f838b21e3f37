// npm run bench:cpu [-- --runs N] [--only a,b] [--no-v86] [--no-linux] [--no-programs] [--fresh] [iterations]
// npm run bench:cpu -- --timeline NAME [--fresh]
// npm run bench:cpu -- --compare REV [--runs N] [--only a,b] [--no-programs] [iterations]
//
// vmalab (its block compiler on and off) side by side with v86 (the npm package, JIT on
// and JIT off) on the same guest
// programs: the multiboot kernels of bench/kernels/ (integer loop, memory, calls and
// branches, string instructions), each booted by both emulators' multiboot loaders; then
// whole programs (busybox sha256sum and gzip, the kernel's fork benchmark) on vmalab
// against the same binaries under Debian's Linux kernel booted in v86 (JIT on,
// bench/linux-v86.ts), on both all of them in one boot per run, in the same order, by the
// same script (bench/whole-program.ts). --no-linux leaves out just v86+Linux; --fresh runs
// each whole program on vmalab in a fresh process of its own instead (the host's JIT cold
// for each one, as v86's is not: it has run Linux's boot and the programs before).
//
// Every measurement is a fresh process (fresh host JIT, its own peak RSS) running this
// project's code bundled into one ES module by esbuild, as the web and CLI builds ship
// it, so the loader's overhead is not measured; without esbuild the TypeScript loader
// runs it instead (said in the output). Runs of the engines are interleaved, and the
// tables give medians over N runs: on a shared machine single runs vary by ±20%
// although every run executes exactly the same instructions (checked here).
// `iterations` sets the integer loop's count (as it did before the other kernels came)
// and scales every other kernel's built-in count by the same fraction (CI runs a reduced
// benchmark this way; profiling too).
// --timeline NAME runs the whole programs in one boot as the table does (with --fresh, NAME alone)
// with the compiler, and prints NAME's course by tenths of a second: how fast the guest ran
// and how much of it ran compiled while the host's JIT (V8) warmed up to the regions.
// --compare REV measures this tree against git revision REV (bench/cpu-compare.ts).

import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { createRequire } from "node:module";
import { availableParallelism } from "node:os";
import { join, dirname } from "node:path";
import { fileURLToPath } from "node:url";
import { KERNEL_WORKLOADS, KERNEL_RAM, kernelPath, kernelImage, kernelIterations } from "./kernels/workloads.ts";
import { PROGRAM_WORKLOADS } from "./whole-program.ts";
import { linuxGuest, type LinuxProgramRun } from "./linux-v86.ts";
import type { Engine, KernelMeasurement } from "./cpu-workload.ts";
import type { ProgramMeasurement } from "./program-workload.ts";
import { compareRevision } from "./cpu-compare.ts";

const here = dirname(fileURLToPath(import.meta.url));
const root = join(here, "..");

interface Args { runs: number; only: string[] | null; v86: boolean; linux: boolean; programs: boolean; fresh: boolean; iterations: string | null; timeline: string | null; compare: string | null }

function parseArgs(argv: string[]): Args {
  const a: Args = { runs: 5, only: null, v86: true, linux: true, programs: true, fresh: false, iterations: null, timeline: null, compare: null };
  const names = [...KERNEL_WORKLOADS.map((w) => w.name), ...PROGRAM_WORKLOADS.map((w) => w.name)];
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (arg === "--runs") {
      a.runs = Number(argv[++i]);
      if (!Number.isInteger(a.runs) || a.runs < 1 || a.runs > 100) usage("--runs takes a number from 1 to 100");
    } else if (arg === "--only") {
      a.only = (argv[++i] ?? "").split(",").filter(Boolean);
      const bad = a.only.find((n) => !names.includes(n));
      if (bad !== undefined || a.only.length === 0) usage(`--only takes names from ${names.join(",")}`);
    } else if (arg === "--timeline") {
      a.timeline = argv[++i] ?? "";
      if (!PROGRAM_WORKLOADS.some((w) => w.name === a.timeline)) usage(`--timeline takes one of ${PROGRAM_WORKLOADS.map((w) => w.name).join(",")}`);
    } else if (arg === "--compare") {
      a.compare = argv[++i] ?? "";
      if (a.compare === "" || a.compare.startsWith("-")) usage("--compare takes a git revision");
    } else if (arg === "--no-v86") a.v86 = false;
    else if (arg === "--no-linux") a.linux = false;
    else if (arg === "--no-programs") a.programs = false;
    else if (arg === "--fresh") a.fresh = true;
    else if (/^\d+$/.test(arg) && Number(arg) > 0) a.iterations = arg;
    else usage(`unknown argument '${arg}'`);
  }
  return a;
}

function usage(msg: string): never {
  console.error(`bench:cpu: ${msg} (usage: npm run bench:cpu -- [--runs N] [--only a,b] [--no-v86] [--no-linux] [--no-programs] [--fresh] [iterations] | --timeline NAME [--fresh] | --compare REV [--runs N] [--only a,b] [--no-programs] [iterations])`);
  process.exit(2);
}

const median = (xs: number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[s.length >> 1] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};

/** True when the v86 package is installed (it is a devDependency). */
function haveV86(): boolean {
  try {
    createRequire(import.meta.url).resolve("v86/package.json");
    return true;
  } catch {
    return false;
  }
}

/**
 * Bundles the three per-process entries into a folder at the repository root (so the
 * bundles find node_modules/v86 and ../userland/build as the sources do) and returns
 * the command prefix for each, or the TypeScript loader's when esbuild is missing.
 */
async function commands(dir: string): Promise<{ kernel: string[]; program: string[]; linux: string[]; bundled: boolean }> {
  const loader = (f: string) => [join(root, "bin/run-ts.mjs"), join(here, f)];
  let build: typeof import("esbuild").build;
  try {
    ({ build } = await import("esbuild"));
  } catch {
    return { kernel: loader("cpu-workload.ts"), program: loader("program-workload.ts"), linux: loader("linux-workload.ts"), bundled: false };
  }
  await build({
    entryPoints: { "cpu-bench": join(here, "cpu-workload.ts"), "program-bench": join(here, "program-workload.ts"), "linux-bench": join(here, "linux-workload.ts") },
    bundle: true,
    platform: "node",
    format: "esm",
    outdir: dir,
    outExtension: { ".js": ".mjs" },
    external: ["v86"],
    logLevel: "warning",
  });
  return { kernel: [join(dir, "cpu-bench.mjs")], program: [join(dir, "program-bench.mjs")], linux: [join(dir, "linux-bench.mjs")], bundled: true };
}

function spawnJson<T>(cmd: string[]): T {
  const r = spawnSync(process.execPath, cmd, { encoding: "utf8", maxBuffer: 1 << 24 });
  if (r.status !== 0) {
    process.stderr.write("\n" + r.stderr);
    throw new Error(`measurement failed: node ${cmd.map((c) => c.replace(root + "/", "")).join(" ")}`);
  }
  return JSON.parse(r.stdout) as T;
}

/** Iterations of kernel `name` when the integer loop runs `intIterations`: its built-in count scaled by the same fraction, at least 1. */
function scaledIterations(name: string, intIterations: number): number {
  if (name === "int") return intIterations;
  const scale = intIterations / kernelIterations(kernelImage("int"));
  return Math.max(1, Math.min(0x7fffffff, Math.round(kernelIterations(kernelImage(name)) * scale)));
}

const f1 = (x: number) => x.toFixed(1);
/** MIPS with one decimal, or three significant digits below 10 (the string kernel's figures are small). */
const fm = (x: number) => (x >= 10 ? x.toFixed(1) : x.toPrecision(3));
const ratio = (a: number, b: number) => `${(a / b).toFixed(2)}×`;
const table = (head: string[], rows: string[][]) => {
  console.log(`| ${head.join(" | ")} |`);
  console.log(`|${head.map(() => "---").join("|")}|`);
  for (const r of rows) console.log(`| ${r.join(" | ")} |`);
};

const pct = (x: number) => `${Math.round(x * 100)}%`;

/** --timeline: the course of run `m` of whole program `name` (made with --timeline --again) after programs `before` in its boot. */
function printTimeline(name: string, before: string[], m: ProgramMeasurement, bundled: boolean): void {
  const after = before.length ? `, after ${before.join(", ")} in the same boot` : "";
  console.log(`bench:cpu --timeline ${name}: one fresh process${after}, ${bundled ? "bundled by esbuild" : "TypeScript loader"}, Node ${process.version}, ${availableParallelism()} host CPUs\n`);
  table(["wall s", "MIPS (wall)", "run compiled", "regions compiled"], m.timeline!.map(([s, mips, share, regions]) => [s.toFixed(2), f1(mips), pct(share), String(regions)]));
  console.log(`\nThe run: ${m.secs.toFixed(2)} s wall, ${m.cpuSecs.toFixed(2)} s host CPU (all threads), ${pct(m.compiledShare)} of its ${m.instructions} instructions run compiled.`);
  console.log(`Again in the same process (V8's machine code and the regions kept): ${m.againSecs!.toFixed(2)} s wall, ${m.againCpuSecs!.toFixed(2)} s host CPU.`);
  console.log("Each row: the tenth of a second (or more: rows end between slices of 4 million cycles) before its time.");
  console.log("A region runs in V8's interpreter and baseline code until V8's optimizing compiler, on other");
  console.log("threads, has made machine code for it; host CPU beyond the wall time is that work (and the GC's).");
}

async function main(): Promise<void> {
  const args = parseArgs(process.argv.slice(2));
  const wanted = (n: string) => args.only === null || args.only.includes(n);
  const kernels = KERNEL_WORKLOADS.filter((w) => wanted(w.name));
  const programs = args.programs ? PROGRAM_WORKLOADS.filter((w) => wanted(w.name)) : [];
  const v86 = args.v86 && haveV86();
  const engines: Engine[] = v86 ? ["vmalab", "vmalab-interp", "v86-jit", "v86-interp"] : ["vmalab", "vmalab-interp"];
  const guest = v86 && args.linux && programs.length && args.compare === null ? linuxGuest() : null;
  const linux = guest !== null && !("error" in guest);
  const kernelArgs = (name: string) => (args.iterations ? ["--iterations", String(scaledIterations(name, Number(args.iterations)))] : []);
  const dir = mkdtempSync(join(root, ".bench-cpu-"));
  try {
    const cmd = await commands(dir);
    const tty = process.stderr.isTTY;
    const kernelRuns = new Map<string, KernelMeasurement[]>();
    if (args.timeline !== null) {
      const names = PROGRAM_WORKLOADS.map((w) => w.name);
      const before = args.fresh ? [] : names.slice(0, names.indexOf(args.timeline));
      const ms = spawnJson<ProgramMeasurement[]>([...cmd.program, (args.fresh ? [args.timeline] : names).join(","), "--timeline", args.timeline, "--again"]);
      printTimeline(args.timeline, before, ms.find((m) => m.name === args.timeline)!, cmd.bundled);
      return;
    }
    if (args.compare !== null) {
      if (!cmd.bundled) throw new Error("--compare needs esbuild (npm ci installs it)");
      await compareRevision({
        root, dir, program: cmd.program, kernel: cmd.kernel, runs: args.runs,
        programs: programs.map((p) => p.name), kernels: kernels.map((k) => ({ name: k.name, path: kernelPath(k.name), extra: kernelArgs(k.name) })),
        spawnJson, median, table,
        progress: (what) => tty && process.stderr.write(what === "" ? "\r\x1b[K" : `\r\x1b[Kbench:cpu: ${what}`),
      }, args.compare);
      return;
    }
    const programRuns = new Map<string, ProgramMeasurement[]>();
    const linuxRuns = new Map<string, LinuxProgramRun[]>();
    for (let i = 0; i < args.runs; i++) {
      for (const w of kernels) {
        for (const e of engines) {
          if (tty) process.stderr.write(`\r\x1b[Kbench:cpu: run ${i + 1}/${args.runs} ${w.name} on ${e}`);
          const extra = kernelArgs(w.name);
          const m = spawnJson<KernelMeasurement>([...cmd.kernel, "--json", "--engine", e, "--workload", w.name, "--kernel", kernelPath(w.name), ...extra]);
          const key = `${w.name}/${e}`;
          kernelRuns.set(key, [...(kernelRuns.get(key) ?? []), m]);
        }
      }
      // one boot for all of them (as on v86+Linux), or with --fresh one process each
      for (const boot of args.fresh ? programs.map((p) => [p.name]) : programs.length ? [programs.map((p) => p.name)] : []) {
        if (tty) process.stderr.write(`\r\x1b[Kbench:cpu: run ${i + 1}/${args.runs} ${boot.join(", ")} on vmalab`);
        for (const jit of [false, true]) {
          for (const m of spawnJson<ProgramMeasurement[]>([...cmd.program, boot.join(","), jit ? "--again" : "--no-jit"])) {
            const key = jit ? `${m.name}/jit` : m.name;
            programRuns.set(key, [...(programRuns.get(key) ?? []), m]);
          }
        }
      }
      if (linux) {
        if (tty) process.stderr.write(`\r\x1b[Kbench:cpu: run ${i + 1}/${args.runs} ${programs.map((p) => p.name).join(", ")} on v86+Linux`);
        const m = spawnJson<{ runs: LinuxProgramRun[] }>([...cmd.linux, programs.map((p) => p.name).join(",")]);
        for (const r of m.runs) linuxRuns.set(r.name, [...(linuxRuns.get(r.name) ?? []), r]);
      }
    }
    if (tty) process.stderr.write("\r\x1b[K");

    // Same guest work everywhere: one instruction count per kernel on vmalab, one output across engines.
    let ok = true;
    const rows: string[][] = [];
    const wallRows: string[][] = [];
    const spreadRows: string[][] = [];
    const checks: string[] = [];
    for (const w of kernels) {
      const vm = kernelRuns.get(`${w.name}/vmalab`)!;
      const count = vm[0].instructions!;
      const all = engines.flatMap((e) => kernelRuns.get(`${w.name}/${e}`)!);
      if (vm.some((r) => r.instructions !== count || r.cycles !== vm[0].cycles)) {
        console.error(`bench:cpu: ${w.name}: vmalab runs disagree on instruction or cycle counts (not deterministic)`);
        ok = false;
      }
      if (kernelRuns.get(`${w.name}/vmalab-interp`)!.some((r) => r.instructions !== count || r.cycles !== vm[0].cycles)) {
        console.error(`bench:cpu: ${w.name}: vmalab with and without its compiler disagree on instruction or cycle counts`);
        ok = false;
      }
      if (all.some((r) => r.output !== vm[0].output)) {
        console.error(`bench:cpu: ${w.name}: the engines printed different results: ${[...new Set(all.map((r) => JSON.stringify(r.output)))].join(" ")}`);
        ok = false;
      }
      const med = (e: Engine, f: (r: KernelMeasurement) => number) => median(kernelRuns.get(`${w.name}/${e}`)!.map(f));
      const cpuMips = (e: Engine) => med(e, (r) => count / r.cpuSecs / 1e6);
      const wallMips = (e: Engine) => med(e, (r) => count / r.secs / 1e6);
      const spread = (e: Engine) => {
        const ms = kernelRuns.get(`${w.name}/${e}`)!.map((r) => count / r.cpuSecs / 1e6);
        return `${fm(Math.min(...ms))}–${fm(Math.max(...ms))}`;
      };
      spreadRows.push([w.name, ...engines.map(spread)]);
      const rss = (e: Engine) => f1(Math.max(...kernelRuns.get(`${w.name}/${e}`)!.map((r) => r.rssMiB)));
      if (v86) {
        rows.push([w.name, String(count), fm(cpuMips("vmalab")), fm(cpuMips("vmalab-interp")), fm(cpuMips("v86-jit")), fm(cpuMips("v86-interp")), ratio(cpuMips("vmalab"), cpuMips("v86-jit")), ratio(cpuMips("vmalab-interp"), cpuMips("v86-interp")), rss("vmalab"), rss("v86-jit")]);
        wallRows.push([w.name, fm(wallMips("vmalab")), fm(wallMips("vmalab-interp")), fm(wallMips("v86-jit")), fm(wallMips("v86-interp")), ratio(wallMips("vmalab"), wallMips("v86-jit")), ratio(wallMips("vmalab-interp"), wallMips("v86-interp"))]);
        checks.push(`${w.name} ${kernelRuns.get(`${w.name}/v86-jit`)![0].v86Instructions}`);
      } else {
        rows.push([w.name, String(count), fm(cpuMips("vmalab")), fm(cpuMips("vmalab-interp")), rss("vmalab")]);
        wallRows.push([w.name, fm(wallMips("vmalab")), fm(wallMips("vmalab-interp"))]);
      }
    }

    const where = `Node ${process.version}, ${process.platform} ${process.arch}, ${cmd.bundled ? "bundled by esbuild" : "TypeScript loader (esbuild not found; figures include its overhead)"}`;
    if (kernels.length) {
      console.log(`bench:cpu: guest kernels (bench/kernels/), ${KERNEL_RAM >>> 20} MiB guest RAM, median of ${args.runs} fresh processes per cell, ${where}`);
      console.log("");
      if (v86) {
        table(["workload", "instructions", "vmalab MIPS", "vmalab --no-jit MIPS", "v86 JIT MIPS", "v86 interp MIPS", "vmalab / v86 JIT", "vmalab --no-jit / v86 interp", "vmalab RSS MiB", "v86 JIT RSS MiB"], rows);
      } else {
        table(["workload", "instructions", "vmalab MIPS", "vmalab --no-jit MIPS", "vmalab RSS MiB"], rows);
        console.log("\n(v86 not measured: " + (args.v86 ? "the v86 package is not installed; run npm ci" : "--no-v86") + ")");
      }
      console.log("\nMIPS by wall time (median):\n");
      table(v86 ? ["workload", "vmalab", "vmalab --no-jit", "v86 JIT", "v86 interp", "vmalab / v86 JIT", "vmalab --no-jit / v86 interp"] : ["workload", "vmalab", "vmalab --no-jit"], wallRows);
      console.log(`\nSpread of the runs (MIPS by CPU time, min–max of ${args.runs}):\n`);
      table(["workload", ...engines], spreadRows);
      console.log("");
      console.log("MIPS = vmalab's exact instruction count for the kernel / host CPU seconds (user + system, all threads)");
      console.log("of the guest run. v86 runs the same kernel bytes from the same entry state with interrupts off,");
      console.log("so it executes the same instructions; its time is divided into vmalab's count. RSS: peak of the");
      console.log("process (max over runs). vmalab: with its block compiler (the default); vmalab --no-jit: without.");
      console.log("v86 JIT: v86's default; v86 interp: its `disable_jit` option.");
      if (v86) console.log(`v86's own counter at the last output byte, for comparison: ${checks.join(", ")} (both count a long REP once per chunk they run it in, each its own way).`);
    }
    if (programs.length) {
      const order = programs.map((p) => p.name).join(", ");
      const vmalabWay = args.fresh ? "on vmalab each in a fresh process of its own" : `on vmalab${linux ? " and v86+Linux" : ""} all in one boot, in this order`;
      console.log(`\nWhole programs (bench/whole-program.ts: ${order}; ${vmalabWay}${args.fresh && linux ? ", on v86+Linux all in one boot" : ""}; mm=vma; boot not timed), median of ${args.runs};`);
      console.log(`MIPS and wall s without the block compiler (--no-jit), then wall s with it (the default), then of a second`);
      console.log(`boot in the same process running them again ("again": the host's JIT warm, regions kept)${linux ? ", then v86+Linux's" : ""}:\n`);
      table(
        ["workload", "instructions", "vmalab --no-jit MIPS (wall)", "wall s --no-jit", "wall s", "host CPU s", "run compiled", "speed / --no-jit (wall)", "wall s again", "vmalab RSS MiB", ...(linux ? ["v86+Linux wall s", "vmalab / v86+Linux (wall)", "again / v86+Linux"] : [])],
        programs.map((p) => {
          const rs = programRuns.get(p.name)!;
          const js = programRuns.get(`${p.name}/jit`)!;
          if ([...rs, ...js].some((r) => r.instructions !== rs[0].instructions)) {
            console.error(`bench:cpu: ${p.name}: runs disagree on the instruction count (not deterministic, or the compiler changes it)`);
            ok = false;
          }
          const secs = median(rs.map((r) => r.secs));
          const jitSecs = median(js.map((r) => r.secs));
          const againSecs = median(js.map((r) => r.againSecs!));
          const linuxSecs = linux ? median(linuxRuns.get(p.name)!.map((r) => r.secs)) : 0;
          return [`${p.name}: ${p.description}`, String(rs[0].instructions), f1(median(rs.map((r) => r.instructions / r.secs / 1e6))), secs.toFixed(2), jitSecs.toFixed(2), median(js.map((r) => r.cpuSecs)).toFixed(2), pct(median(js.map((r) => r.compiledShare))), ratio(secs, jitSecs), againSecs.toFixed(2), f1(Math.max(...rs.map((r) => r.rssMiB))), ...(linux ? [linuxSecs.toFixed(2), ratio(linuxSecs, jitSecs), ratio(linuxSecs, againSecs)] : [])];
        }),
      );
      console.log("\nvmalab's kernel is TypeScript run by the host: system calls and page faults take host time but");
      console.log("few guest instructions, so MIPS of whole programs (fork_exit above all) is not CPU speed.");
      console.log("host CPU s: user + system seconds of the first run with the compiler, every thread of the process");
      console.log("(V8 compiles optimized code on other threads); run compiled: the share of its instructions that");
      console.log("compiled regions retired. `npm run bench:cpu -- --timeline NAME` shows how both grow over a run.");
      if (linux) {
        console.log(`\nv86+Linux: ${guest.describe}; 256 MiB guest RAM, v86's JIT on.`);
        console.log("What is compared: vmalab's wall seconds include its TypeScript kernel running on the host;");
        console.log("v86's include the real Linux kernel above, emulated instruction by instruction. Boot is not timed");
        console.log("in either. Both run the same busybox and fork_exit binaries from the same initramfs, by the same");
        console.log(`shell script, which marks each start and end on the console (ttyS0 on Linux)${args.fresh ? "; with --fresh, vmalab one per process" : ""}.`);
        console.log("The ratio is v86+Linux's seconds / vmalab's (with its compiler): above 1, vmalab is faster.");
        console.log("v86's JIT has also run Linux's boot before the first workload (vmalab's boot runs no guest code),");
        console.log("so the \"again\" column is the one with both hosts' JITs warm.");
      } else {
        const why = !v86 ? (args.v86 ? "the v86 package is not installed; run npm ci" : "--no-v86") : !args.linux ? "--no-linux" : guest !== null && "error" in guest ? guest.error : "";
        console.log(`\n(v86+Linux not measured: ${why})`);
        if (guest !== null && process.env.CI === "true") process.exitCode = 1;
      }
    }
    if (!ok) process.exitCode = 1;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

try {
  await main();
} catch (e) {
  console.error(`bench:cpu: ${e instanceof Error ? e.message : String(e)}`);
  process.exitCode = 1;
}
