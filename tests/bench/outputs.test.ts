// Every guest benchmark program prints the same thing under all four
// memory-manager designs once the measurements (ns, ns_per_op, and ops of the
// timed loops) are masked: the designs differ in cost only.

import { describe, expect, it } from "vitest";
import { runGuest } from "../../system/guest-run.ts";
import { builtinInitrd } from "../../bench/initrd.ts";
import { normalizeOutput, parseResultLines } from "../../bench/result-line.ts";
import { MM_DESIGNS } from "../../kernel/mm/designs.ts";
import { CPU } from "../../emulator/cpu/cpu.ts";

/** Small invocations of every program (all parameters of the multi-parameter ones). */
const PROGRAMS: [string[], number][] = [
  [["/bench/fork_exit", "-n", "3"], 1],
  [["/bench/fork_exec", "-n", "2"], 1],
  [["/bench/shell_spawn", "-n", "2"], 1],
  [["/bench/spawn", "-t", "5"], 1],
  [["/bench/execl", "-t", "5"], 1],
  [["/bench/fork_touch", "-n", "2", "16", "256", "4096"], 3],
  [["/bench/fork_vmas", "-n", "2", "4", "64", "1024"], 3],
  [["/bench/fork_vmas", "-n", "1", "-u", "64"], 1],
  [["/bench/fork_tree", "-n", "1", "3", "4"], 2],
  [["/bench/zap_sparse", "-n", "2", "64"], 1],
  [["/bench/fork_shmap", "-n", "2", "4"], 1],
  [["/bench/fork_bomb", "-l", "8"], 1],
];

describe("benchmark output is the same under every design", () => {
  for (const [argv, lines] of PROGRAMS) {
    it(argv.join(" "), () => {
      const outs = MM_DESIGNS.map((d) => {
        const r = runGuest(d, argv, { initrd: builtinInitrd() });
        expect(r.status, `${d}: ${r.output}`).toBe(0);
        const { results, errors } = parseResultLines(r.output);
        expect(errors, d).toEqual([]);
        expect(results.length, `${d}: ${r.output}`).toBe(lines);
        return normalizeOutput(r.output);
      });
      for (let i = 1; i < outs.length; i++) expect(outs[i], MM_DESIGNS[i]).toBe(outs[0]);
    }, 120_000);
  }

  it("the fork bomb stops at EAGAIN with the same number of children everywhere", () => {
    const lines = MM_DESIGNS.map((d) => parseResultLines(runGuest(d, ["/bench/fork_bomb", "-l", "8"], { initrd: builtinInitrd() }).output).results[0]);
    for (const l of lines) {
      expect(Object.fromEntries(l.extra).stop).toBe("EAGAIN");
      expect(l.ops).toBe(lines[0].ops);
    }
    expect(lines[0].ops).toBeGreaterThan(0);
    expect(lines[0].ops).toBeLessThan(8);
  }, 60_000);
});

describe("runGuest's slices (bench:cpu --timeline samples there)", () => {
  it("calls onSlice after each slice, the last at the end of the run", () => {
    const seen: number[] = [];
    let start = 0;
    const r = runGuest("vma", ["/bench/fork_exit", "-n", "200"], {
      initrd: builtinInitrd(),
      onBoot: (sys) => {
        start = sys.machine.cycles;
      },
      onSlice: (sys) => {
        seen.push(sys.machine.cycles);
      },
    });
    expect(r.status).toBe(0);
    // 200 forks take more than one slice of 4 million cycles
    expect(seen.length).toBeGreaterThan(1);
    for (let i = 1; i < seen.length; i++) expect(seen[i]).toBeGreaterThan(seen[i - 1]);
    expect(seen[seen.length - 1] - start).toBe(r.cycles);
  }, 60_000);
});

describe("runGuest's console output (bench:cpu times from its start and end lines)", () => {
  it("sees each byte as the guest writes it, at the same instruction count with and without the compiler", () => {
    const counts = (jit: boolean) => {
      const saved = CPU.jitByDefault;
      CPU.jitByDefault = jit;
      const lines: [number, string][] = [];
      let out = "";
      let compiled = 0;
      try {
        const r = runGuest("vma", ["/bin/sh", "-c", "echo one; i=0; while [ $i -lt 2000 ]; do i=$((i+1)); done; echo two"], {
          initrd: builtinInitrd(),
          onConsoleOutput: (b, sys) => {
            out += String.fromCharCode(b);
            if (b === 10) lines.push([sys.machine.instructions, out]);
            compiled = sys.machine.cpu.icache.compiledRetired;
          },
        });
        expect(r.status).toBe(0);
      } finally {
        CPU.jitByDefault = saved;
      }
      return { lines, compiled };
    };
    const interpreted = counts(false);
    expect(interpreted.lines.map(([, o]) => o)).toEqual(["one\r\n", "one\r\ntwo\r\n"]);
    expect(interpreted.lines[1][0] - interpreted.lines[0][0]).toBeGreaterThan(100_000); // the loop ran between them
    const compiled = counts(true);
    expect(compiled.compiled).toBeGreaterThan(50_000); // much of it in regions
    expect(compiled.lines).toEqual(interpreted.lines);
  }, 60_000);
});
