// Whole-system snapshots (system/snapshot/system-snapshot.ts): a booted vmalab
// stopped mid-run (a fork bomb with a pipeline, a sleeping job with its kernel
// timer, a program using the FPU; a 16 MiB machine swapping) is saved, restored into a freshly built
// system, and both run on: same console output, cycles and instructions, and
// no frame leaked. Unusable files are refused with one line.

import { describe, expect, it } from "vitest";
import { VmalabSystem } from "../../system/system.ts";
import { RunResult } from "../../emulator/machine/machine.ts";
import { checkFrames } from "../../kernel/mm/check.ts";
import { INITRD } from "../support/guest.ts";
import { SnapshotError, restoreSnapshot, saveSnapshot, snapshotHeader } from "../../system/snapshot/system-snapshot.ts";

interface Booted {
  sys: VmalabSystem;
  out: { text: string };
}

function boot(cmdline = "quiet", memorySize?: number): Booted {
  const out = { text: "" };
  const sys = new VmalabSystem({ builtinInitrd: INITRD, deterministic: true, cmdline, memorySize, onConsoleOutput: (b) => (out.text += String.fromCharCode(b)) });
  return { sys, out };
}

/** Runs until `text` is in the output (after `from`) or, with text null, until cycle `until`; idle time is skipped. */
function drive(b: Booted, text: string | null, until = Infinity, from = 0): void {
  const m = b.sys.machine;
  const limit = m.cycles + 120 * 66_000_000;
  while (text === null ? m.cycles < until : !b.out.text.includes(text, from)) {
    if (m.cycles > limit) throw new Error(`no "${text}"; output:\n${b.out.text}`);
    const r = m.runSlice(Math.min(2_000_000, until - m.cycles));
    if (r === RunResult.Idle) m.clock.cycles = Math.min(until, m.idleUntil === Infinity ? m.clock.cycles + 660_000 : m.idleUntil);
    else if (r !== RunResult.Budget) throw new Error(`machine stopped (${r}); output:\n${b.out.text}`);
  }
}

function type(b: Booted, line: string): void {
  b.sys.machine.sendInput(new TextEncoder().encode(line + "\r"));
}

const state = (b: Booted) => ({ cycles: b.sys.machine.cycles, instructions: b.sys.machine.instructions });

describe("system snapshot", () => {
  it("restores a system mid fork bomb with timers and FPU state, and both runs go on identically", () => {
    const a = boot();
    drive(a, "# ");
    type(a, "sleep 1 & /bench/fork_bomb -l 12 | wc -c; /tests/fpu; wait; echo finished");
    // Saved at points inside the pipeline's forks, inside the FPU test, and in the wait for sleep's timer.
    const saves: { bytes: Uint8Array; mark: number; at: ReturnType<typeof state>; tasks: number }[] = [];
    for (const step of [1_500_000, 1_500_000, 3_000_000, 6_000_000, 20_000_000]) {
      drive(a, null, a.sys.machine.cycles + step);
      saves.push({ bytes: saveSnapshot(a.sys), mark: a.out.text.length, at: state(a), tasks: a.sys.kernel.tasks.size });
    }
    expect(Math.max(...saves.map((s) => s.tasks))).toBeGreaterThan(4);
    expect(a.sys.kernel.timers.length).toBeGreaterThan(0);
    drive(a, "\nfinished\r\n");
    drive(a, "# ", Infinity, a.out.text.indexOf("\nfinished\r\n"));
    const end = a.sys.machine.cycles;
    for (const s of saves) {
      expect(snapshotHeader(s.bytes)).toMatchObject({ format: 1, cmdline: "quiet", cycles: s.at.cycles });
      const b = boot();
      restoreSnapshot(b.sys, s.bytes);
      expect(state(b)).toEqual(s.at);
      drive(b, null, end);
      expect(b.out.text).toBe(a.out.text.slice(s.mark));
      expect(state(b)).toEqual(state(a));
      expect(checkFrames(b.sys.kernel.mmctx)).toEqual([]);
      expect(b.sys.kernel.mmctx.frames.freeCount).toBe(a.sys.kernel.mmctx.frames.freeCount);
    }
    expect(a.out.text).toMatch(/\r\n72\r\n(PASS fpu_\w+\r\n)+finished\r\n/);
  });

  it("restores a system in the middle of swapping (over 2000 swap slots in use)", () => {
    const opts = ["quiet swap=32M", 16 * 1048576] as const;
    const a = boot(...opts);
    drive(a, "# ");
    type(a, "/bin/memhog 24; echo finished");
    let bytes: Uint8Array | null = null;
    let mark = 0;
    for (let i = 0; i < 200 && bytes === null; i++) {
      drive(a, null, a.sys.machine.cycles + 2_000_000);
      if (a.sys.kernel.mmctx.swap.usedCount > 2000) {
        bytes = saveSnapshot(a.sys);
        mark = a.out.text.length;
      }
    }
    expect(bytes).not.toBeNull();
    drive(a, "\nfinished\r\n");
    drive(a, "# ", Infinity, a.out.text.indexOf("\nfinished\r\n"));
    const b = boot(...opts);
    restoreSnapshot(b.sys, bytes!);
    drive(b, null, a.sys.machine.cycles);
    expect(b.out.text).toBe(a.out.text.slice(mark));
    expect(b.out.text).toContain("memhog: 6144 pages ok, child ok\r\n");
    expect(state(b)).toEqual(state(a));
    expect(checkFrames(b.sys.kernel.mmctx)).toEqual([]);
    expect(b.sys.kernel.mmctx.swap.usedCount).toBe(a.sys.kernel.mmctx.swap.usedCount);
  });

  it("refuses unusable files with one line and changes nothing", () => {
    const a = boot();
    drive(a, "# ");
    const saved = saveSnapshot(a.sys);
    const fresh = boot();
    const bootCycles = fresh.sys.machine.cycles;
    const fail = (bytes: Uint8Array, sys = fresh.sys): string => {
      try {
        restoreSnapshot(sys, bytes);
      } catch (e) {
        expect(e).toBeInstanceOf(SnapshotError);
        return (e as Error).message;
      }
      throw new Error("restored");
    };
    expect(fail(new Uint8Array(8))).toBe("not a vmalab snapshot");
    expect(fail(saved.subarray(0, saved.length - 100))).toMatch(/^snapshot is truncated or corrupted/);
    const flipped = saved.slice();
    flipped[saved.length >> 1] ^= 0x40;
    expect(fail(flipped)).toMatch(/^snapshot is truncated or corrupted/);
    const other = saved.slice();
    const headLen = new DataView(other.buffer).getUint32(8, true);
    const head = new TextDecoder().decode(other.subarray(16, 16 + headLen));
    other.set(new TextEncoder().encode(head.replace(/"build":"[0-9a-f]{8}"/, '"build":"00000000"')), 16);
    expect(fail(other)).toMatch(/^snapshot was made by another vmalab build/);
    expect(fail(saved, boot("quiet mm=classic").sys)).toBe('snapshot was made with the command line "quiet"');
    for (const m of [fail(new Uint8Array(8)), fail(flipped)]) expect(m).not.toContain("\n");
    expect(fresh.sys.machine.cycles).toBe(bootCycles);
  });
});
