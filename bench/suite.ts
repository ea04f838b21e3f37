// The benchmark suite: every guest program of userland/bench with the
// parameters of a full run and of a --quick run.
//
// Each case is measured by differencing two runs of the same program, a
// measured run and a baseline run that differ only in how many operations they
// do (-n, -t or the fork bomb's limit). Everything the two runs share (boot,
// loading the program, the setup before the timed loop, the first-time page
// cache reads) cancels, so cycles and counters per op are the steady-state
// cost of one more operation.

export type SuiteSize = "full" | "quick";

export interface CaseArgs {
  /** Arguments of the measured run (after the program path). */
  run: string[];
  /** Arguments of the baseline run (fewer operations, same setup). */
  base: string[];
}

export interface BenchCase {
  /** Unique key: "<program> <param>" (param as the program prints it, "-" when none). */
  id: string;
  program: string;
  param: string;
  /** What one operation is, for the table. */
  op: string;
  args: CaseArgs;
  /** Guest RAM for this case (default 128 MiB). */
  memorySize?: number;
}

/** Guest path of a benchmark program. */
export function guestPath(program: string): string {
  return `/bench/${program}`;
}

function counted(program: string, param: string, op: string, n: number, rest: string[] = [], memorySize?: number): BenchCase {
  return { id: `${program} ${param}`, program, param, op, args: { run: ["-n", String(n), ...rest], base: ["-n", "1", ...rest] }, memorySize };
}

function timed(program: string, op: string, ms: number, baseMs: number): BenchCase {
  return { id: `${program} ms=${ms}`, program, param: `ms=${ms}`, op, args: { run: ["-t", String(ms)], base: ["-t", String(baseMs)] } };
}

/** Memory for fork_vmas: V one-page areas with every other page written, plus the child's copies. */
export function vmasMemory(v: number): number {
  return Math.max(128, 2 ** Math.ceil(Math.log2(((v * 4096) / 2) * 3 / 2 ** 20 + 64))) * 2 ** 20;
}

/** The fork_vmas case for V areas with n forks (also used by the crossover search). */
export function forkVmasCase(v: number, n: number): BenchCase {
  return counted("fork_vmas", `v=${v}`, "fork+exit+wait with V vm_areas", n, [String(v)], vmasMemory(v));
}

/**
 * The V values swept by fork_vmas in a suite of this size. 21, 1621 and 51221
 * are the VMA counts of the maple-tree fork measurements (bench/published.ts).
 */
export function vmasSweep(size: SuiteSize): number[] {
  return size === "full" ? [4, 21, 64, 1024, 1621, 8192, 51221] : [4, 21, 64, 1024, 1621];
}

/** Forks per fork_vmas case (and per crossover probe); fewer for the largest V, whose forks each take seconds of host time. */
export function vmasForks(size: SuiteSize, v = 0): number {
  if (size !== "full") return 5;
  return v > 16384 ? 20 : 100;
}

/** Memory for fork_shmap: the MB MiB file lives in tmpfs, which may hold half of RAM, plus the kernel and the program. */
export function shmapMemory(mb: number): number {
  return Math.max(128, 2 ** Math.ceil(Math.log2(2 * mb + 64))) * 2 ** 20;
}

/** The fork_shmap case: MB MiB of a shared file mapping, every page mapped, n forks. */
export function forkShmapCase(mb: number, n: number): BenchCase {
  return counted("fork_shmap", `mb=${mb}`, "fork+exit+wait with MB MiB of shared file mapping", n, [String(mb)], shmapMemory(mb));
}

/** The suite in run order. */
export function suite(size: SuiteSize): BenchCase[] {
  const full = size === "full";
  const cases: BenchCase[] = [
    counted("fork_exit", "-", "fork+exit+wait", full ? 1000 : 20),
    counted("fork_exec", "-", "fork+execve(nop)+exit+wait", full ? 500 : 10),
    counted("shell_spawn", "-", "fork+execve(sh -c true)+wait", full ? 200 : 5),
    full ? timed("spawn", "fork+exit+wait (timed loop)", 1000, 100) : timed("spawn", "fork+exit+wait (timed loop)", 50, 10),
    full ? timed("execl", "execve of itself (timed loop)", 1000, 100) : timed("execl", "execve of itself (timed loop)", 50, 10),
  ];
  for (const k of [16, 256, 4096]) cases.push(counted("fork_touch", `k=${k}`, "fork+exit+wait after writing K pages", full ? 200 : 5, [String(k)]));
  for (const v of vmasSweep(size)) cases.push(forkVmasCase(v, vmasForks(size, v)));
  cases.push(full ? forkShmapCase(100, 50) : forkShmapCase(16, 5));
  const d = full ? 5 : 4;
  cases.push(counted("fork_tree", `d=${d}`, `a tree of 2^d-1 processes`, full ? 20 : 2, [String(d)]));
  const mb = full ? 256 : 64;
  cases.push(counted("zap_sparse", `mb=${mb}`, "map, touch every 4 MiB, unmap", full ? 100 : 5, [String(mb)]));
  const limit = full ? 64 : 16;
  cases.push({
    id: `fork_bomb limit=${limit}`,
    program: "fork_bomb",
    param: `limit=${limit}`,
    op: "one child of the bomb (fork, sleep, release, reap)",
    args: { run: ["-l", String(limit)], base: ["-l", String(full ? 16 : 4)] },
  });
  return cases;
}
