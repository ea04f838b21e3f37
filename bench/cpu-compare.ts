// `npm run bench:cpu -- --compare REV`: this tree's emulator against the code of git
// revision REV on the same machine in the same run, for a change's before and after.
// REV's tree comes from `git archive` and is bundled like this tree's (its own
// bench/program-workload.ts and bench/cpu-workload.ts, resolving packages from this
// tree's node_modules; both bundles read the guest files of this tree). The two then run
// alternately, each measurement a fresh process, the first of each pair alternating too,
// so that a machine whose speed drifts during the run (a shared VM's does, by ±20%)
// weighs on both alike: whole programs (each in a process of its own, as bench:cpu's
// --fresh: first run and, in the same process, again) and
// the kernels on vmalab with its compiler.

import { spawnSync } from "node:child_process";
import { mkdirSync } from "node:fs";
import { join } from "node:path";
import type { KernelMeasurement } from "./cpu-workload.ts";
import type { ProgramMeasurement } from "./program-workload.ts";

export interface CompareSetup {
  /** The repository root (this tree), whose node_modules REV's bundle resolves from. */
  root: string;
  /** A scratch folder at the root, where REV's bundles go (beside this tree's). */
  dir: string;
  /** This tree's bundled entries. */
  program: string[];
  kernel: string[];
  runs: number;
  programs: readonly string[];
  /** Kernel names, the image each runs and its further arguments (an iteration count). */
  kernels: readonly { name: string; path: string; extra: readonly string[] }[];
  /** Runs a measurement process and parses its JSON. */
  spawnJson<T>(cmd: string[]): T;
  median(xs: number[]): number;
  table(head: string[], rows: string[][]): void;
  progress(what: string): void;
}

/** The full commit name of `rev`; throws with a one-line reason when it names none. */
function commitOf(root: string, rev: string): string {
  const r = spawnSync("git", ["-C", root, "rev-parse", "--verify", "--quiet", `${rev}^{commit}`], { encoding: "utf8" });
  if (r.status !== 0) throw new Error(`--compare: '${rev}' names no commit of this repository`);
  return r.stdout.trim();
}

/** Bundles REV's measurement entries into `dir`; returns their command prefixes. */
async function bundleRevision(s: CompareSetup, commit: string): Promise<{ program: string[]; kernel: string[] }> {
  const src = join(s.dir, "rev");
  mkdirSync(src);
  const tar = spawnSync("git", ["-C", s.root, "archive", "--format=tar", commit], { maxBuffer: 1 << 30 });
  if (tar.status !== 0) throw new Error(`--compare: git archive ${commit} failed: ${tar.stderr.toString().trim()}`);
  const x = spawnSync("tar", ["-x", "-C", src], { input: tar.stdout });
  if (x.status !== 0) throw new Error(`--compare: unpacking ${commit} failed: ${x.stderr.toString().trim()}`);
  const { build } = await import("esbuild");
  await build({
    entryPoints: { "program-rev": join(src, "bench/program-workload.ts"), "cpu-rev": join(src, "bench/cpu-workload.ts") },
    bundle: true,
    platform: "node",
    format: "esm",
    outdir: s.dir,
    outExtension: { ".js": ".mjs" },
    external: ["v86"],
    nodePaths: [join(s.root, "node_modules")],
    logLevel: "warning",
  });
  return { program: [join(s.dir, "program-rev.mjs")], kernel: [join(s.dir, "cpu-rev.mjs")] };
}

/** Measures and prints this tree against revision `rev` (see the header). */
export async function compareRevision(s: CompareSetup, rev: string): Promise<void> {
  const commit = commitOf(s.root, rev);
  const short = commit.slice(0, 7);
  const other = await bundleRevision(s, commit);
  const trees = [{ name: "this tree", ...s }, { name: short, ...other }];
  const programRuns = new Map<string, ProgramMeasurement[]>();
  const kernelRuns = new Map<string, KernelMeasurement[]>();
  const add = <T>(runs: Map<string, T[]>, key: string, m: T) => runs.set(key, [...(runs.get(key) ?? []), m]);
  for (let i = 0; i < s.runs; i++) {
    const order = i % 2 === 0 ? trees : [...trees].reverse();
    for (const p of s.programs) {
      s.progress(`run ${i + 1}/${s.runs} ${p}`);
      // (one workload per process; a revision before 2026-12-08 prints it alone, not in an array)
      for (const t of order) add(programRuns, `${p}/${t.name}`, [s.spawnJson<ProgramMeasurement | ProgramMeasurement[]>([...t.program, p, "--again"])].flat()[0]);
    }
    for (const k of s.kernels) {
      s.progress(`run ${i + 1}/${s.runs} ${k.name} kernel`);
      for (const t of order) add(kernelRuns, `${k.name}/${t.name}`, s.spawnJson<KernelMeasurement>([...t.kernel, "--json", "--engine", "vmalab", "--workload", k.name, "--kernel", k.path, ...k.extra]));
    }
  }
  s.progress("");
  let same = true;
  const cell = (xs: number[], digits: number) => `${s.median(xs).toFixed(digits)} (${Math.min(...xs).toFixed(digits)}–${Math.max(...xs).toFixed(digits)})`;
  const ratio = (a: number[], b: number[]) => `${(s.median(a) / s.median(b)).toFixed(2)}×`;
  console.log(`bench:cpu --compare ${rev}: this tree against ${short}, alternating fresh processes, median (min–max) of ${s.runs} each\n`);
  if (s.programs.length) {
    const rows = s.programs.map((p) => {
      const a = programRuns.get(`${p}/this tree`)!;
      const b = programRuns.get(`${p}/${short}`)!;
      if (a[0].instructions !== b[0].instructions) same = false;
      const first = (ms: ProgramMeasurement[]) => ms.map((m) => m.secs);
      const again = (ms: ProgramMeasurement[]) => ms.map((m) => m.againSecs!);
      const rss = (ms: ProgramMeasurement[]) => ms.map((m) => m.rssMiB);
      return [p, cell(first(b), 2), cell(first(a), 2), ratio(first(b), first(a)), cell(again(b), 2), cell(again(a), 2), ratio(again(b), again(a)), cell(rss(b), 1), cell(rss(a), 1)];
    });
    s.table(["workload", `${short} wall s`, "this tree wall s", `speed / ${short}`, `${short} again s`, "this tree again s", `again speed / ${short}`, `${short} RSS MiB`, "this tree RSS MiB"], rows);
    console.log("");
  }
  if (s.kernels.length) {
    const rows = s.kernels.map(({ name }) => {
      const a = kernelRuns.get(`${name}/this tree`)!;
      const b = kernelRuns.get(`${name}/${short}`)!;
      if (a[0].instructions !== b[0].instructions) same = false;
      const cpu = (ms: KernelMeasurement[]) => ms.map((m) => m.cpuSecs);
      return [name, cell(cpu(b), 3), cell(cpu(a), 3), ratio(cpu(b), cpu(a))];
    });
    s.table(["kernel", `${short} host CPU s`, "this tree host CPU s", `speed / ${short}`], rows);
    console.log("");
  }
  console.log(`Whole programs as in the main table with --fresh: wall seconds of the first run in a fresh process of its`);
  console.log(`own and of a second one in the same process, and the process's peak RSS; kernels: host CPU seconds on vmalab with`);
  console.log(`its compiler. Speed: ${short}'s median over this tree's (above 1, this tree is faster).`);
  if (!same) console.log(`(The two trees retire different instruction counts on some workload: their guests differ.)`);
}
