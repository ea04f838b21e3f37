// `npm run bench [-- --quick] [--only NAME[,NAME]] [--designs classic,vma] [--markdown] [--no-native] [--no-jit] [--out DIR]`
//
// Runs every guest benchmark under each memory-manager design in deterministic
// mode, plus natively on this host when it can execute i386 Linux programs,
// then prints one table and writes results.json and chart.svg (bench/results/
// for a full run of the whole suite, bench/results/quick/ otherwise).

import { spawnSync } from "node:child_process";
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { cpus } from "node:os";
import { dirname, join, relative } from "node:path";
import { fileURLToPath } from "node:url";
import { MM_DESIGNS, type MmDesignName } from "../kernel/mm/designs.ts";
import { CPU_HZ } from "../emulator/machine/clock.ts";
import { CPU } from "../emulator/cpu/cpu.ts";
import { measureCase, MeasureError } from "./measure.ts";
import { closeNativeHost, openNativeHost, runNative, type NativeHost } from "./native.ts";
import { runGuest } from "../system/guest-run.ts";
import { builtinInitrd } from "./initrd.ts";
import { forkVmasCase, guestPath, suite, vmasForks, type BenchCase, type SuiteSize } from "./suite.ts";
import { findCrossover } from "./crossover.ts";
import { formatMarkdown, formatText, writeResultsJson } from "./report.ts";
import { renderChart } from "./chart.ts";
import { Progress } from "./progress.ts";
import type { CaseResult, Crossover, CrossoverProbe, SuiteResults } from "./suite-result.ts";

const REPO = fileURLToPath(new URL("..", import.meta.url));
const USAGE = `usage: npm run bench [-- --quick] [--only NAME[,NAME...]] [--designs ${MM_DESIGNS.join(",")}] [--markdown] [--no-native] [--no-jit] [--out DIR] | --from results.json [--markdown]`;

interface Options {
  size: SuiteSize;
  only: string[] | null;
  designs: MmDesignName[];
  markdown: boolean;
  native: boolean;
  out: string | null;
  /** Re-render the table (and chart) of an earlier results.json instead of running. */
  from: string | null;
}

class UsageError extends Error {}

function parseArgs(argv: string[]): Options {
  const o: Options = { size: "full", only: null, designs: [...MM_DESIGNS], markdown: false, native: true, out: null, from: null };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const value = (): string => {
      const v = argv[++i];
      if (v === undefined) throw new UsageError(`${a} needs a value`);
      return v;
    };
    if (a === "--quick") o.size = "quick";
    else if (a === "--markdown") o.markdown = true;
    else if (a === "--no-native") o.native = false;
    else if (a === "--no-jit") CPU.jitByDefault = false;
    else if (a === "--only") o.only = value().split(",").filter(Boolean);
    else if (a === "--out") o.out = value();
    else if (a === "--from") o.from = value();
    else if (a === "--designs") {
      const ds = value().split(",").filter(Boolean);
      for (const d of ds) if (!(MM_DESIGNS as readonly string[]).includes(d)) throw new UsageError(`unknown design "${d}" (one of ${MM_DESIGNS.join(", ")})`);
      o.designs = MM_DESIGNS.filter((d) => ds.includes(d));
    } else if (a === "--help" || a === "-h") {
      process.stdout.write(USAGE + "\n");
      process.exit(0);
    } else throw new UsageError(`unknown option "${a}"`);
  }
  return o;
}

/** Cases selected by --only: a program name ("fork_touch") or a case id ("fork_touch k=256"). */
function select(cases: BenchCase[], only: string[] | null): BenchCase[] {
  if (!only) return cases;
  const picked = cases.filter((c) => only.includes(c.program) || only.includes(c.id));
  const unknown = only.filter((n) => !cases.some((c) => c.program === n || c.id === n));
  if (unknown.length) throw new UsageError(`no benchmark "${unknown.join(", ")}" (programs: ${[...new Set(cases.map((c) => c.program))].join(", ")})`);
  return picked;
}

function gitCommit(): string | null {
  const head = spawnSync("git", ["rev-parse", "--short=12", "HEAD"], { cwd: REPO, encoding: "utf8" });
  if (head.status !== 0) return null;
  const dirty = spawnSync("git", ["status", "--porcelain", "--untracked-files=no"], { cwd: REPO, encoding: "utf8" });
  return head.stdout.trim() + (dirty.status === 0 && dirty.stdout.trim() ? "+modified" : "");
}

function runCase(c: BenchCase, o: Options, native: NativeHost, tick: (what: string) => void): CaseResult {
  const r: CaseResult = {
    id: c.id, program: c.program, param: c.param, op: c.op, args: c.args, memorySize: c.memorySize ?? null,
    designs: {}, errors: {}, native: null, outputsIdentical: null,
  };
  for (const d of o.designs) {
    tick(`${c.id} mm=${d}`);
    try {
      r.designs[d] = measureCase(c, d);
    } catch (e) {
      if (!(e instanceof MeasureError)) throw e;
      r.errors[d] = e.message;
    }
  }
  const lines = Object.values(r.designs).map((x) => x!.normalized);
  if (lines.length > 1) r.outputsIdentical = lines.every((l) => l === lines[0]);
  if (o.native) {
    tick(`${c.id} native`);
    r.native = runNative(native, c);
  }
  return r;
}

function crossoverOf(cases: CaseResult[], o: Options, tick: (what: string) => void): Crossover | null {
  if (!o.designs.includes("classic") || !o.designs.includes("vma")) return null;
  const initial: CrossoverProbe[] = [];
  for (const c of cases) {
    const cl = c.designs.classic, vm = c.designs.vma;
    if (c.program === "fork_vmas" && cl && vm) initial.push({ v: Number(c.param.slice(2)), classic: cl.cyclesPerOp, vma: vm.cyclesPerOp });
  }
  if (!initial.length) return null;
  const forks = o.size === "full" ? 20 : vmasForks("quick");
  const probe = (v: number): CrossoverProbe => {
    const c = forkVmasCase(v, forks);
    tick(`crossover probe V=${v} mm=classic`);
    const classic = measureCase(c, "classic").cyclesPerOp;
    tick(`crossover probe V=${v} mm=vma`);
    return { v, classic, vma: measureCase(c, "vma").cyclesPerOp };
  };
  try {
    return findCrossover(initial, probe, o.size === "full" ? { maxV: 32768, bisectSteps: 6, resolution: 64 } : { maxV: 4096, bisectSteps: 2, resolution: 256 });
  } catch (e) {
    if (!(e instanceof MeasureError)) throw e;
    const c = findCrossover(initial, () => { throw e; }, { maxV: 0, bisectSteps: 0, resolution: 0 });
    return { ...c, summary: `${c.summary} (search stopped: ${e.message.split("\n")[0]})` };
  }
}

/** --from: prints the table of a results.json again (and rewrites the chart beside it). */
function rerender(o: Options): number {
  let r: SuiteResults;
  try {
    r = JSON.parse(readFileSync(o.from!, "utf8")) as SuiteResults;
  } catch (e) {
    process.stderr.write(`bench: cannot read ${o.from}: ${(e as Error).message}\n`);
    return 2;
  }
  writeFileSync(join(dirname(o.from!), "chart.svg"), renderChart(r));
  process.stdout.write(o.markdown ? formatMarkdown(r) : formatText(r));
  return 0;
}

function main(): number {
  let o: Options;
  let cases: BenchCase[];
  try {
    o = parseArgs(process.argv.slice(2));
    cases = select(suite(o.size), o.only);
  } catch (e) {
    if (!(e instanceof UsageError)) throw e;
    process.stderr.write(`bench: ${e.message}\n${USAGE}\n`);
    return 2;
  }
  if (o.from) return rerender(o);
  const whole = o.size === "full" && !o.only && o.designs.length === MM_DESIGNS.length;
  const outDir = o.out ?? join(REPO, "bench", "results", ...(whole ? [] : ["quick"]));
  const progress = new Progress();
  const native: NativeHost = o.native ? openNativeHost() : { root: null, reason: "--no-native" };
  const steps = cases.length * (o.designs.length + (o.native ? 1 : 0));
  let step = 0;
  const tick = (what: string): void => progress.update(Math.min(++step, steps), steps, what);
  let results: SuiteResults;
  try {
    for (const d of o.designs) {
      tick(`warming up the emulator (mm=${d})`);
      step--;
      runGuest(d, [guestPath("fork_exit"), "-n", "50"], { initrd: builtinInitrd() });
    }
    const done = cases.map((c) => runCase(c, o, native, tick));
    const crossover = o.only && !o.only.some((n) => n.startsWith("fork_vmas")) ? null : crossoverOf(done, o, tick);
    results = {
      meta: {
        date: new Date().toISOString(),
        commit: gitCommit(),
        node: process.version,
        host: `${process.platform} ${process.arch}, ${cpus().length} x ${cpus()[0]?.model ?? "unknown CPU"}`,
        size: o.size,
        designs: o.designs,
        cpuHz: CPU_HZ,
        command: `npm run bench${process.argv.length > 2 ? ` -- ${process.argv.slice(2).join(" ")}` : ""}`,
        wallSeconds: Math.round(progress.elapsed()),
        nativeNote: native.root ? "" : native.reason,
      },
      cases: done,
      crossover,
    };
  } finally {
    closeNativeHost(native);
    progress.done();
  }
  mkdirSync(outDir, { recursive: true });
  writeResultsJson(join(outDir, "results.json"), results);
  writeFileSync(join(outDir, "chart.svg"), renderChart(results));
  process.stdout.write(o.markdown ? formatMarkdown(results) : formatText(results));
  process.stdout.write(`\nwrote ${relative(process.cwd(), join(outDir, "results.json")) || "results.json"} and chart.svg (${results.meta.wallSeconds} s)\n`);
  const bad = results.cases.some((c) => Object.keys(c.errors).length > 0 || c.outputsIdentical === false);
  return bad ? 1 : 0;
}

process.exitCode = main();
