// vmalab diff-designs (system/diff-designs.ts, cli/diff-designs-format.ts): the
// guest's fork test /tests/fork_cow under the four memory-manager designs, the
// differences they must show, the alignment of the fault tables, the text and
// JSON the command prints, and its usage errors.

import { describe, expect, it } from "vitest";
import { compareRuns, diffDesigns, type DesignDiff, type DesignRun, type DiffFault } from "../../system/diff-designs.ts";
import { builtinInitrd } from "../../bench/initrd.ts";
import { diffToJson, formatDiff, unlike } from "../../cli/diff-designs-format.ts";
import { checkFrames } from "../../kernel/mm/check.ts";
import type { VmalabSystem } from "../../system/system.ts";
import { expectUsageError, runCli } from "./run-cli.ts";

const PROG = ["/tests/fork_cow"];

// Each design's fork and exit take their own time, so the timer preempts at
// different points and parent and child may take turns differently: of two
// processes sharing a COW page, the first to write copies it and the second
// reuses it. Such a swap is a difference of scheduling, not of design.
const cowKind = (decision: string) => (decision === "cow-copy" || decision === "cow-reuse" ? "cow" : decision);
const faultSet = (r: DesignRun) => r.faults.map((f) => `${f.pid} ${f.address} ${cowKind(f.decision)} ${f.vma}`).sort();
/** True when the row's faults differ at most by a cow-copy/cow-reuse swap. */
const onlyCowSwap = (d: DesignDiff, row: DesignDiff["pids"][number]["rows"][number]) => {
  const kinds = row.faults.map((i, j) => (i === null ? null : cowKind(d.runs[j].faults[i].decision)));
  return kinds.every((k) => k !== null && k === kinds[0]);
};
const OUTPUT = "PASS fork_cow_child_writes\nPASS fork_cow_parent_writes\nPASS fork_cow_repeated\n";

describe("diff-designs under the four designs", () => {
  const systems: VmalabSystem[] = [];
  const d = diffDesigns(PROG, { initrd: builtinInitrd(), onBoot: (sys) => systems.push(sys) });
  const [classic, vma, lazy, sharedpt] = d.runs;
  const counter = (name: string) => d.counters.find((c) => c.name === name)?.values ?? d.runs.map(() => 0);

  it("runs every design in order, and the program prints the same under each", () => {
    expect(d.designs).toEqual(["classic", "vma", "lazy", "sharedpt"]);
    for (const r of d.runs) {
      expect(r.status, r.design).toBe(0);
      expect(r.stopped).toBe(null);
      expect(r.output).toBe(OUTPUT);
    }
    expect(d.outputsIdentical).toBe(true);
    expect(d.statusesIdentical).toBe(true);
  });

  it("leaks no frame: the accounting holds and every design ends with the same free frames", () => {
    expect(systems).toHaveLength(4);
    for (const [i, sys] of systems.entries()) {
      expect(checkFrames(sys.kernel.mmctx), d.designs[i]).toEqual([]);
      expect(d.runs[i].frameCheck).toEqual([]);
      expect(sys.kernel.mmctx.frames.freeCount).toBe(d.runs[i].freeFramesAtExit);
    }
    expect(new Set(d.runs.map((r) => r.freeFramesAtBoot)).size).toBe(1);
    expect(new Set(d.runs.map((r) => r.freeFramesAtExit)).size).toBe(1);
    // init's own frames come back when it exits
    expect(classic.freeFramesAtExit).toBeGreaterThan(classic.freeFramesAtBoot);
  });

  it("counts what the program asked for the same under every design", () => {
    for (const name of ["forks", "exits", "pagesCopied", "pagesZeroed", "fault:cow-copy", "fault:cow-reuse", "fault:demand-zero"]) {
      const values = counter(name);
      expect(values[0], name).toBeGreaterThan(0);
      expect(new Set(values).size, `${name}: ${values}`).toBe(1);
    }
    expect(counter("forks")[0]).toBe(10);
  });

  it("classic walks every PDE and whole page tables at fork and exit, the others only the areas", () => {
    const forks = counter("forks")[0];
    const [pdeC, pdeV, pdeL, pdeS] = counter("pdeVisits");
    // 768 user PDEs at each fork at least
    expect(pdeC - pdeV).toBeGreaterThanOrEqual(768 * forks);
    expect(pdeS).toBe(pdeV);
    expect(pdeL).toBeLessThan(pdeC);
    const [pteC, pteV, pteL, pteS] = counter("pteVisits");
    expect(pteC).toBeGreaterThan(pteS);
    expect(pteS).toBeGreaterThan(pteV);
    expect(pteV).toBeGreaterThan(pteL);
    // the fork copy itself costs classic the most guest cycles, sharedpt the least
    const copy = counter("prof:copyMm");
    expect(copy[0]).toBeGreaterThan(copy[1]);
    expect(copy[3]).toBeLessThan(Math.min(copy[0], copy[1], copy[2]));
  });

  it("sharedpt shares page tables at fork and unshares them on the first write; no other design does", () => {
    const [c, v, l, s] = counter("tablesShared");
    expect([c, v, l]).toEqual([0, 0, 0]);
    expect(s).toBeGreaterThanOrEqual(counter("forks")[3]);
    expect(counter("tablesUnshared")).toEqual([0, 0, 0, s]);
  });

  it("lazy copies fewer PTEs at fork and takes file-map faults the others do not", () => {
    const copied = counter("ptesCopied");
    expect(copied[0]).toBe(copied[1]);
    expect(copied[3]).toBe(copied[1]);
    expect(copied[2]).toBeLessThan(copied[1]);
    const extra = lazy.faults.length - vma.faults.length;
    expect(extra).toBeGreaterThan(0);
    expect(counter("fault:file-map")[2] - counter("fault:file-map")[1]).toBe(extra);
    // exactly those faults are lazy's alone, all file-map, all in the children (pid 1 is the parent)
    const lazyOnly = d.pids.flatMap((g) => g.rows).filter((row) => row.faults[2] !== null && row.faults.every((f, j) => j === 2 || f === null));
    expect(lazyOnly).toHaveLength(extra);
    for (const row of lazyOnly) {
      expect(row.differs).toBe(true);
      expect(row.pid).toBeGreaterThan(1);
      expect(lazy.faults[row.faults[2]!].decision).toBe("file-map");
    }
    expect(d.pids[0].rows.every((row) => !row.differs || onlyCowSwap(d, row))).toBe(true);
    expect(unlike(d, 2)).toBeGreaterThanOrEqual(extra);
  });

  it("classic, vma and sharedpt take the same faults, with the same decisions but for who copies a COW page; lazy's faults differ by its file-map faults", () => {
    for (const other of [vma, sharedpt]) expect(faultSet(other)).toEqual(faultSet(classic));
    const rows = d.pids.flatMap((g) => g.rows);
    const real = rows.filter((row) => row.differs && !onlyCowSwap(d, row));
    expect(real.length).toBe(lazy.faults.length - vma.faults.length);
    for (const row of real) expect(row.faults.map((f) => f === null)).toEqual([true, true, false, true]);
    const fd = d.firstDivergence!;
    expect(fd).not.toBe(null);
    const g = d.pids.find((p) => p.pid === fd.pid)!;
    expect(g.rows.slice(0, fd.row).every((r) => !r.differs)).toBe(true);
    expect(g.rows[fd.row].differs).toBe(true);
  });

  it("is deterministic: a second run gives the same comparison, cycles included", () => {
    const again = diffDesigns(PROG, { initrd: builtinInitrd(), designs: ["classic", "lazy"] });
    expect(again.runs[0]).toEqual(classic);
    expect(again.runs[1]).toEqual(lazy);
  });

  it("prints the comparison as text and as JSON", () => {
    const text = formatDiff(d);
    expect(text).toContain("program output: identical under all 4 designs (exit 0)\n  | PASS fork_cow_child_writes\n");
    expect(text).toMatch(/^first divergence: pid \d+ \(fork_cow\) fault row \d+, [0-9a-f]{8} (read|write) in .*: classic [a-z-]+( \w+)?, vma [a-z-]+( \w+)?, lazy [a-z-]+( \w+)?, sharedpt [a-z-]+( \w+)?$/m);
    expect(text).toMatch(/^pid 2 \(fork_cow\): classic 27, vma 27, lazy \d+, sharedpt 27 faults$/m);
    // a file-map row of lazy alone
    expect(text).toMatch(/^ {2}[ >]\* +\d+ {2}[0-9a-f]{8} {2}R {4}.*r-xp \/tests\/fork_cow +- +- +file-map +\d+ +-$/m);
    expect(text).toMatch(/^ {2}\* pdeVisits +\d+ +\d+ +\d+ +\d+$/m);
    expect(text).toMatch(/^ {4}forks +10 +10 +10 +10$/m);
    expect(text).toMatch(/^ {4}frame check +ok +ok +ok +ok$/m);
    const j = JSON.parse(diffToJson(d));
    expect(j.designs).toEqual(d.designs);
    expect(j.outputsIdentical).toBe(true);
    expect(j.runs[2].faults[0].address).toMatch(/^[0-9a-f]{8}$/);
    expect(j.runs.map((r: { faults: unknown[] }) => r.faults.length)).toEqual(d.runs.map((r) => r.faults.length));
    expect(j.unlikeFirst).toEqual([0, unlike(d, 1), unlike(d, 2), unlike(d, 3)]);
  });
});

describe("diff-designs of a program that does not finish", () => {
  it("says the runs were cut short", () => {
    // cat reads the console, where nothing is typed
    const d = diffDesigns(["/bin/cat"], { initrd: builtinInitrd(), designs: ["vma", "lazy"], maxGuestSeconds: 1 });
    for (const r of d.runs) {
      expect(r.status).toBe(null);
      expect(r.stopped).toBe("guest time limit reached");
      expect(r.output).toBe("");
    }
    expect(formatDiff(d)).toContain("program output: identical under all 2 designs (cut short: guest time limit reached)\n  (no output)\n");
  });
});

describe("diff-designs alignment", () => {
  const f = (pid: number, address: number, decision: DiffFault["decision"], write = false): DiffFault =>
    ({ pid, comm: "t", eip: 0, address, error: write ? 6 : 4, vma: "v", decision, cycles: 1 });
  const run = (design: DesignRun["design"], faults: DiffFault[]): DesignRun => ({
    design, status: 0, stopped: null, output: "", cycles: 100, counters: {}, prof: {}, faults,
    freeFramesAtBoot: 0, freeFramesAtExit: 0, frameCheck: [],
  });
  const cells = (d: DesignDiff, pid: number) => d.pids.find((g) => g.pid === pid)!.rows.map((r) => r.faults);

  it("lines up the same address and access across designs, extra faults on rows of their own", () => {
    const d = compareRuns(["/x"], [
      run("classic", [f(1, 0x1000, "file-map"), f(1, 0x2000, "cow-copy", true), f(1, 0x3000, "demand-zero", true), f(1, 0x4000, "zero-page")]),
      run("lazy", [
        f(1, 0x1000, "file-map"), f(1, 0x5000, "file-map"), f(1, 0x2000, "cow-copy", true), f(1, 0x3000, "demand-zero", true),
        f(1, 0x6000, "file-map"), f(1, 0x4000, "zero-page"),
      ]),
    ]);
    expect(cells(d, 1)).toEqual([[0, 0], [null, 1], [1, 2], [2, 3], [null, 4], [3, 5]]);
    expect(d.pids[0].rows.map((r) => r.differs)).toEqual([false, true, false, false, true, false]);
    expect(d.firstDivergence).toEqual({ pid: 1, row: 1 });
  });

  it("marks a different decision, and a read and a write of one address are different faults", () => {
    const d = compareRuns(["/x"], [
      run("vma", [f(2, 0x1000, "cow-copy", true), f(3, 0x4000, "zero-page")]),
      run("sharedpt", [f(2, 0x1000, "cow-reuse", true), f(3, 0x4000, "demand-zero", true)]),
      run("classic", [f(2, 0x1000, "cow-copy", true)]),
    ]);
    expect(cells(d, 2)).toEqual([[0, 0, 0]]);
    expect(d.pids[0].rows[0].differs).toBe(true);
    expect(cells(d, 3)).toEqual([[1, null, null], [null, 1, null]]);
    expect(d.firstDivergence).toEqual({ pid: 2, row: 0 });
    expect(d.pids.map((g) => g.counts)).toEqual([[1, 1, 1], [1, 1, 0]]);
  });

  it("reports no divergence when every fault matches", () => {
    const faults = [f(1, 0x1000, "file-map"), f(1, 0x1000, "file-map")];
    const d = compareRuns(["/x"], [run("classic", faults), run("vma", faults)]);
    expect(d.firstDivergence).toBe(null);
    expect(formatDiff(d)).toContain("first divergence: none");
  });
});

describe("vmalab diff-designs", () => {
  it("prints the comparison and exits 0 when the program's output is the same", { timeout: 60_000 }, () => {
    const r = runCli(["diff-designs", "--designs", "classic,lazy", "--", "/tests/fork_cow"], "", 60_000);
    expect(r.stderr).toBe("");
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/^diff-designs: \/tests\/fork_cow under classic, lazy \(128M RAM, each from the same deterministic boot\)\n/);
    expect(r.stdout).toContain("program output: identical under all 2 designs (exit 0)");
    expect(r.stdout).toMatch(/^first divergence: pid \d+ \(fork_cow\) .*: classic [a-z-]+( \w+)?, lazy [a-z-]+( \w+)?$/m);
    expect(r.stdout).toMatch(/^ {2}[ >]\* +\d+ {2}[0-9a-f]{8} {2}R {4}.*r-xp \/tests\/fork_cow +- +file-map +\d+$/m);
  });

  it("shows where the program's output differs and exits 1", { timeout: 60_000 }, () => {
    // a benchmark prints guest nanoseconds, which differ with the cycles each design spends
    const r = runCli(["diff-designs", "--designs=classic,sharedpt", "-m", "32M", "--", "/bench/fork_touch", "-n", "1", "4"], "", 60_000);
    expect(r.stderr).toBe("");
    expect(r.status).toBe(1);
    expect(r.stdout).toMatch(/\(32M RAM,/);
    expect(r.stdout).toContain("program output: NOT the same under every design (the output; 2 versions)");
    expect(r.stdout).toMatch(/^ {2}classic: +bench fork_touch k=4 ops=1 ns=\d+ ns_per_op=\d+ {2}\[exit 0\]$/m);
    expect(r.stdout).toMatch(/^ {2}\* output +#1 +#2$/m);
  });

  it("writes JSON with --json", { timeout: 60_000 }, () => {
    const r = runCli(["diff-designs", "--json", "--designs", "vma,sharedpt", "--", "/tests/fork_cow"], "", 60_000);
    expect(r.status).toBe(0);
    const j = JSON.parse(r.stdout);
    expect(j.designs).toEqual(["vma", "sharedpt"]);
    expect(j.runs.map((x: { output: string }) => x.output)).toEqual([OUTPUT, OUTPUT]);
    expect(j.counters.find((c: { name: string }) => c.name === "tablesShared").values[0]).toBe(0);
    expect(j.counters.find((c: { name: string }) => c.name === "tablesShared").values[1]).toBeGreaterThan(0);
    // the same faults; at most who copies a COW page differs
    const faults = (x: { faults: { pid: number; address: string; decision: string }[] }) => x.faults.map((f) => `${f.pid} ${f.address} ${cowKind(f.decision)}`).sort();
    expect(faults(j.runs[1])).toEqual(faults(j.runs[0]));
  });

  it.each([
    ["an unknown design", ["--designs", "classic,fast"], /^vmalab: unknown design 'fast' in --designs \(give some of classic, vma, lazy, sharedpt\)$/],
    ["one design", ["--designs", "lazy"], /^vmalab: bad --designs 'lazy': give two or more designs to compare/],
    ["a design twice", ["--designs", "vma,vma"], /^vmalab: bad --designs 'vma,vma': a design is named twice$/],
    ["an empty design name", ["--designs", "vma,"], /^vmalab: bad --designs 'vma,': an empty design name/],
    ["--designs without a value", ["--designs"], /^vmalab: option '--designs' needs a value/],
    ["--json with a value", ["--json=yes"], /^vmalab: option '--json' takes no value$/],
    ["an option that does not apply", ["--gdb", "1234"], /^vmalab: option '--gdb' does not apply to diff-designs: vmalab diff-designs /],
    ["--kernel", ["--kernel", "k.elf"], /^vmalab: option '--kernel' does not apply to diff-designs/],
    ["mm= in --append", ["--append", "mm=lazy"], /^vmalab: diff-designs chooses mm= itself: drop it from --append/],
    ["an unknown option", ["--frobnicate"], /^vmalab: unknown option '--frobnicate'/],
  ])("refuses %s", (_what, opts, re) => {
    expectUsageError(runCli(["diff-designs", ...opts, "--", "/tests/fork_cow"]), re);
  });

  it.each([
    ["no program", ["diff-designs"], /^vmalab: diff-designs needs a guest program: vmalab diff-designs \[--designs/],
    ["the program before --", ["diff-designs", "/tests/fork_cow"], /^vmalab: diff-designs takes the guest program after '--'/],
    ["a relative program", ["diff-designs", "--", "fork_cow"], /^vmalab: diff-designs needs a guest program by its absolute path, not 'fork_cow'/],
    ["diff-designs after an option", ["-m", "64", "diff-designs", "--", "/tests/fork_cow"], /^vmalab: 'diff-designs' must come first/],
    ["a program that is not there", ["diff-designs", "--", "/no/such"], /^vmalab: cannot run '\/no\/such' in the guest: execve failed with ENOENT$/],
  ])("refuses %s", (_what, argv, re) => {
    expectUsageError(runCli(argv), re);
  });
});
