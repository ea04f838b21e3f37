// Time travel (system/timeline.ts): a recorded run, with console input typed
// at two moments, is taken back to earlier cycles and instruction counts; each
// time the machine must be exactly where a forward run stopped there was
// (cycles, instructions, registers, console output), and running on from
// there must print what the forward run printed.

import { describe, expect, it } from "vitest";
import { VmalabSystem } from "../../system/system.ts";
import { checkFrames } from "../../kernel/mm/check.ts";
import { INITRD, runToCycle as runTo } from "../support/guest.ts";
import { Timeline } from "../../system/timeline.ts";
import { RunResult } from "../../emulator/machine/machine.ts";
import { SnapshotError } from "../../system/snapshot/system-snapshot.ts";

function boot() {
  const out = { text: "", timeline: null as Timeline | null };
  const sys = new VmalabSystem({
    builtinInitrd: INITRD, deterministic: true, cmdline: "quiet",
    onConsoleOutput: (b) => {
      if (!out.timeline?.replaying) out.text += String.fromCharCode(b);
    },
  });
  return { sys, out };
}

const here = (sys: VmalabSystem, out: { text: string }) => ({
  cycles: sys.machine.cycles,
  instructions: sys.machine.instructions,
  regs: sys.machine.cpu.registers(),
  output: out.text.length,
});

describe("timeline", () => {
  it("goes back to any recorded cycle or instruction and lands where the forward run was", () => {
    const { sys, out } = boot();
    runTo(sys, 40_000_000); // the shell's prompt
    expect(out.text).toMatch(/# \x1b\[6n$/);
    const t = new Timeline(sys, { interval: 50_000 });
    out.timeline = t;
    const start = sys.machine.cycles;
    t.sendInput(new TextEncoder().encode("sleep 1 & /bench/fork_bomb -l 12 | wc -c; /tests/fpu; wait; echo finished\r"));
    const marks: ReturnType<typeof here>[] = [];
    for (const dt of [700_000, 2_345_678, 9_000_001, 31_000_000, 66_000_000]) {
      runTo(sys, start + dt);
      marks.push(here(sys, out));
    }
    t.sendInput(new TextEncoder().encode("echo second\r"));
    runTo(sys, start + 100_000_000);
    marks.push(here(sys, out));
    const final = { ...here(sys, out), text: out.text };
    expect(final.text).toMatch(/\r\nfinished\r\n[\s\S]*\r\nsecond\r\n/);
    expect(t.status().snapshots).toBeGreaterThan(3);

    // Backwards through the marks: each goto is exact.
    for (const mark of [...marks].reverse()) {
      const at = t.gotoCycle(mark.cycles);
      expect(at.cycles).toBe(mark.cycles);
      expect(here(sys, out)).toEqual({ ...mark, output: final.text.length });
    }
    expect(t.status().inputs).toBe(1); // the second input was after the marks gone back to: dropped

    // From mark 0 the recorded future (before the second input) comes out again, byte for byte,
    // and the machine passes through every later mark.
    const m0 = marks[0];
    out.text = final.text.slice(0, m0.output);
    for (const mark of marks.slice(1, 5)) {
      runTo(sys, mark.cycles);
      expect(here(sys, out)).toEqual(mark);
    }
    expect(out.text).toBe(final.text.slice(0, marks[4].output));

    // Instruction counts too (the first boundary with that count: the CPU may have idled
    // after it until the mark), and one instruction back (reverse-step) from there.
    const m2 = marks[2];
    const at = t.gotoInstruction(m2.instructions);
    expect(at.instructions).toBe(m2.instructions);
    expect(at.cycles).toBeLessThanOrEqual(m2.cycles);
    const prev = t.gotoInstruction(m2.instructions - 1);
    expect(prev.instructions).toBe(m2.instructions - 1);
    expect(prev.cycles).toBeLessThan(at.cycles);
    runTo(sys, m2.cycles);
    const { output: _o, ...state } = here(sys, out);
    expect(state).toEqual({ cycles: m2.cycles, instructions: m2.instructions, regs: m2.regs });
    expect(checkFrames(sys.kernel.mmctx)).toEqual([]);
  });

  it("refuses points outside the recording with one line", () => {
    const { sys } = boot();
    runTo(sys, 20_000_000);
    const t = new Timeline(sys);
    runTo(sys, 25_000_000);
    expect(() => t.gotoCycle(10_000_000)).toThrow(SnapshotError);
    expect(() => t.gotoCycle(10_000_000)).toThrow(/before the recording began \(cycle 20\d{6}\)/);
    expect(() => t.gotoCycle(30_000_000)).toThrow(/is in the future/);
    expect(sys.machine.cycles).toBeGreaterThanOrEqual(25_000_000);
    t.close();
    expect(sys.machine.afterSlice).toBeNull();
  });

  it("gives a console size change back at its cycle, as it gives typed input", () => {
    const { sys, out } = boot();
    runTo(sys, 20_000_000);
    const t = new Timeline(sys);
    out.timeline = t;
    runTo(sys, 25_000_000);
    t.setConsoleSize(30, 100); // the terminal is resized (SIGWINCH to the shell)
    runTo(sys, 26_000_000);
    t.sendInput(new TextEncoder().encode("stty size\r"));
    runTo(sys, 60_000_000);
    const first = out.text;
    expect(first).toMatch(/stty size\r\n30 100\r\n/);
    t.gotoCycle(25_500_000); // after the resize, before the command (a new future: typed again)
    const at = out.text.length;
    t.sendInput(new TextEncoder().encode("stty size\r"));
    runTo(sys, 60_000_000);
    expect(out.text.slice(at)).toMatch(/^stty size\r\n30 100\r\n/);
    t.close();
  });

  it("holds a stop the host asked for through a goto, and it is taken where the goto lands", () => {
    const { sys } = boot();
    runTo(sys, 20_000_000);
    const t = new Timeline(sys);
    runTo(sys, 30_000_000);
    sys.machine.stop(); // asked for, not taken yet (as a pause arriving while the machine runs)
    t.gotoCycle(25_000_000);
    const at = sys.machine.instructions;
    expect(sys.machine.runSlice(1_000_000)).toBe(RunResult.Stopped);
    expect(sys.machine.instructions).toBe(at);
    sys.machine.resume();
    expect(sys.machine.runSlice(1_000_000)).toBe(RunResult.Budget);
    expect(sys.machine.instructions).toBeGreaterThan(at);
    t.close();
  });

  it("thins out its snapshots past its memory bound and still lands exactly", () => {
    const { sys, out } = boot();
    runTo(sys, 40_000_000);
    // The first point holds the booted RAM (about 5.5 MiB of distinct pages); then each about 0.4 MiB.
    const t = new Timeline(sys, { interval: 5_000, maxBytes: 7 * 1048576 });
    out.timeline = t;
    t.sendInput(new TextEncoder().encode("/tests/fpu; /bench/fork_bomb -l 12 | wc -c\r"));
    const marks: { cycles: number; instructions: number }[] = [];
    for (let i = 1; i <= 6; i++) {
      runTo(sys, 40_000_000 + i * 3_000_000, 100_000); // points are taken between slices
      marks.push({ cycles: sys.machine.cycles, instructions: sys.machine.instructions });
    }
    const s = t.status();
    expect(s.bytes).toBeLessThanOrEqual(7 * 1048576);
    expect(s.interval).toBeGreaterThan(5_000); // it thinned out
    for (const mark of marks.reverse()) expect(t.gotoCycle(mark.cycles)).toEqual(mark);
    expect(checkFrames(sys.kernel.mmctx)).toEqual([]);
  });
});
