// The Machine with the real CPU: multiboot boot, timer interrupts with idle
// skipping, BIOS reset vector, resets, determinism.
import { describe, it, expect, beforeAll } from "vitest";
import { readFileSync, rmSync } from "node:fs";
import { dirname } from "node:path";
import { Machine, RunResult } from "../../emulator/machine/machine.ts";
import { ticksToCycles } from "../../emulator/devices/pit.ts";
import { buildKernel, missingTools } from "../kernels/hello/build.ts";
import { mbHeader, buildElf, concat } from "./images.ts";

const missing = missingTools();
const skip = missing !== null && process.env.CI !== "true";
if (skip) console.warn(`tests/machine/machine.test.ts kernel tests skipped: ${missing}`);

/** Runs until the guest exits or `maxCycles` pass; returns the console text. */
function runToExit(m: Machine, out: number[], maxCycles = 200_000_000): string {
  while (m.cycles < maxCycles) {
    const r = m.runSlice(1_000_000);
    if (r === RunResult.Exited) break;
    if (r !== RunResult.Budget) throw new Error(`runSlice stopped with ${r}`);
  }
  return String.fromCharCode(...out);
}

function makeMachine(memoryMiB = 32) {
  const out: number[] = [];
  const m = new Machine({ memorySize: memoryMiB * 1024 * 1024, startTime: 946_684_800, onConsoleOutput: (b) => out.push(b) });
  return { m, out };
}

/** A ROM whose reset vector jumps to code at its start (real mode, CS base 0xFFFF0000). */
function rom(code: number[], size = 4096): Uint8Array {
  const r = new Uint8Array(size).fill(0x90);
  r.set(code, 0);
  const from = 0xfff3; // IP after the 3-byte near jump at 0xFFF0
  const to = 0x10000 - size;
  const rel = (to - from) & 0xffff;
  r.set([0xe9, rel & 0xff, rel >>> 8], size - 16);
  return r;
}

describe.skipIf(skip)("machine with multiboot kernels", () => {
  let hello: Uint8Array;
  let ticks: Uint8Array;
  beforeAll(() => {
    if (missing) throw new Error(`needs ${missing}`);
    for (const [name, set] of [["hello", (b: Uint8Array) => (hello = b)], ["ticks", (b: Uint8Array) => (ticks = b)]] as const) {
      const elf = buildKernel(name);
      set(readFileSync(elf));
      rmSync(dirname(elf), { recursive: true, force: true });
    }
  });

  it("boots the hello kernel and takes its exit status", () => {
    const { m, out } = makeMachine();
    m.loadKernel(hello, { cmdline: "abc" });
    expect(runToExit(m, out)).toBe("Hello from multiboot\r\ncmdline=[abc]\r\n");
    expect(m.exitStatus).toBe(0x55);
    expect(m.runSlice(1000)).toBe(RunResult.Exited);
  });

  it("is deterministic: two runs take the same cycles and instructions", () => {
    const a = makeMachine();
    a.m.loadKernel(ticks);
    runToExit(a.m, a.out);
    const b = makeMachine();
    b.m.loadKernel(ticks);
    runToExit(b.m, b.out);
    expect(a.m.cycles).toBe(b.m.cycles);
    expect(a.m.instructions).toBe(b.m.instructions);
  });

  it("delivers PIT interrupts through the PIC and skips idle time to the next tick", () => {
    const { m, out } = makeMachine();
    m.loadKernel(ticks);
    const text = runToExit(m, out);
    expect(text).toBe("ticks=10\r\n");
    expect(m.exitStatus).toBe(0x21);
    // ten periods of 11932 PIT ticks from the programming of the PIT (a few thousand cycles after boot)
    const tenPeriods = ticksToCycles(10 * 11932);
    expect(m.cycles).toBeGreaterThan(tenPeriods);
    expect(m.cycles).toBeLessThan(tenPeriods + 50_000);
    // nearly all of that was idle: few instructions ran
    expect(m.instructions).toBeLessThan(5_000);
  });

  it("start() runs the guest to its exit", async () => {
    const out: number[] = [];
    const m = new Machine({ memorySize: 16 << 20, onConsoleOutput: (b) => out.push(b), paceIdle: true });
    m.loadKernel(ticks);
    const t0 = Date.now();
    await expect(m.start()).resolves.toEqual({ kind: "exit", status: 0x21 });
    expect(String.fromCharCode(...out)).toBe("ticks=10\r\n");
    expect(Date.now() - t0).toBeGreaterThanOrEqual(90); // paced: 100 ms of guest idle time
  });
});

describe("machine with a BIOS ROM", () => {
  it("starts at F000:FFF0 in real mode from the ROM mapped below 4 GiB", () => {
    const { m, out } = makeMachine(2);
    // mov al,'R'; mov dx,0x3f8; out dx,al; mov al,5; out 0xf4,al; hlt
    m.loadBios(rom([0xb0, 0x52, 0xba, 0xf8, 0x03, 0xee, 0xb0, 0x05, 0xe6, 0xf4, 0xf4]));
    expect(runToExit(m, out)).toBe("R");
    expect(m.exitStatus).toBe(11);
  });

  it("maps the ROM read-only below 1 MiB too", () => {
    const { m } = makeMachine(2);
    const r = rom([0xf4]);
    m.loadBios(r);
    expect(m.mem.read8(0xfffff - 15)).toBe(0xe9);
    m.mem.write8(0xff000, 0x12);
    expect(m.mem.read8(0xff000)).toBe(0xf4);
  });

  it("resets through the 8042 and keeps RAM", () => {
    const { m, out } = makeMachine(2);
    const code = [
      0xfe, 0x06, 0x00, 0x05, // inc byte [0x500]
      0x80, 0x3e, 0x00, 0x05, 0x02, // cmp byte [0x500], 2
      0x73, 0x04, // jae +4
      0xb0, 0xfe, 0xe6, 0x64, // mov al, 0xfe; out 0x64, al
      0xa0, 0x00, 0x05, // mov al, [0x500]
      0xe6, 0xf4, // out 0xf4, al
      0xf4,
    ];
    m.mem.write8(0x500, 0);
    m.loadBios(rom(code));
    runToExit(m, out);
    expect(m.resets).toBe(1);
    expect(m.exitStatus).toBe(5);
  });
});

describe("machine resets", () => {
  it("returns from runSlice after each reset, so a resetting guest cannot hold the host", () => {
    const { m } = makeMachine(2);
    m.loadBios(rom([0xb0, 0xfe, 0xe6, 0x64, 0xeb, 0xfe])); // mov al, 0xfe; out 0x64, al; jmp $
    for (let i = 1; i <= 5; i++) {
      expect(m.runSlice(1_000_000_000)).toBe(RunResult.Budget);
      expect(m.resets).toBe(i);
    }
  });

  it("reboots a multiboot kernel after a triple fault (tripleFault: reset), RAM kept", () => {
    const { m, out } = makeMachine(4);
    const code = Uint8Array.from([
      0xfe, 0x05, 0x00, 0x05, 0x00, 0x00, // inc byte [0x500]
      0x80, 0x3d, 0x00, 0x05, 0x00, 0x00, 0x03, // cmp byte [0x500], 3
      0x73, 0x08, // jae done
      0x0f, 0x01, 0x1d, 0x00, 0x06, 0x00, 0x00, // lidt [0x600] (zeros: an empty IDT)
      0xcc, // int3: #BP -> #DF -> triple fault
      0xa0, 0x00, 0x05, 0x00, 0x00, // done: mov al, [0x500]
      0xe6, 0xf4, // out 0xf4, al
      0xf4,
    ]);
    const seg = concat(mbHeader(0x3), code);
    m.loadKernel(buildElf(0x10000c, [{ vaddr: 0x100000, paddr: 0x100000, data: seg, memsz: seg.length }]));
    runToExit(m, out);
    expect(m.resets).toBe(2);
    expect(m.exitStatus).toBe(7);
  });
});
