import { describe, it, expect, beforeEach } from "vitest";
import { IoPorts } from "../../emulator/io/ports.ts";
import { Clock, CPU_HZ } from "../../emulator/machine/clock.ts";
import { Pit, PIT_HZ, cyclesToTicks, ticksToCycles } from "../../emulator/devices/pit.ts";

/** The cycle at which PIT tick t has elapsed, computed independently with BigInt. */
function cycleOfTick(t: number): number {
  const num = BigInt(t) * BigInt(CPU_HZ);
  const den = BigInt(PIT_HZ);
  return Number((num + den - 1n) / den);
}

describe("8254 PIT", () => {
  let io: IoPorts;
  let clock: Clock;
  let edges: number[];
  let level: boolean;

  beforeEach(() => {
    io = new IoPorts();
    clock = new Clock();
    edges = [];
    level = false;
    new Pit(io, clock, (l) => {
      if (l && !level) edges.push(clock.cycles);
      level = l;
    });
    edges.length = 0;
  });

  /** Runs the clock from event to event up to `limit` cycles. */
  function runTo(limit: number): void {
    while (clock.nextEvent <= limit) {
      expect(clock.nextEvent).toBeGreaterThanOrEqual(clock.cycles);
      clock.cycles = clock.nextEvent;
      clock.runDue();
    }
    clock.cycles = limit;
  }

  function program(mode: number, count: number): void {
    io.out8(0x43, 0x30 | (mode << 1)); // channel 0, lobyte/hibyte
    io.out8(0x40, count & 0xff);
    io.out8(0x40, count >>> 8);
  }

  it("converts cycles and ticks exactly, even far into a run", () => {
    for (const t of [0, 1, 1193, 1193182, 1193183, 987654321, 2 ** 40 + 12345]) {
      const c = ticksToCycles(t);
      expect(c).toBe(cycleOfTick(t));
      expect(cyclesToTicks(c)).toBe(t);
      if (c > 0) expect(cyclesToTicks(c - 1)).toBe(t - 1);
    }
  });

  it("mode 2 (rate generator) raises IRQ 0 every N ticks", () => {
    program(2, 1193);
    runTo(cycleOfTick(1193 * 4) + 10);
    expect(edges).toEqual([1, 2, 3, 4].map((k) => cycleOfTick(1193 * k)));
  });

  it("mode 3 (square wave) has period N and is high for the first half", () => {
    program(3, 11932); // ~100 Hz
    runTo(cycleOfTick(11932 * 3));
    expect(edges).toEqual([1, 2, 3].map((k) => cycleOfTick(11932 * k)));
    // read-back status: OUT bit high in the first half, low in the second
    clock.cycles = cycleOfTick(11932 * 3 + 100);
    io.out8(0x43, 0xe2); // read-back, status only, channel 0
    expect(io.in8(0x40)).toBe(0x80 | 0x36);
    clock.cycles = cycleOfTick(11932 * 3 + 6000);
    io.out8(0x43, 0xe2);
    expect(io.in8(0x40)).toBe(0x36);
  });

  it("a count written to a running mode 2 channel takes effect at the end of the period", () => {
    program(2, 1000);
    runTo(cycleOfTick(2500));
    io.out8(0x40, 300 & 0xff);
    io.out8(0x40, 300 >>> 8);
    io.out8(0x43, 0xe2);
    expect(io.in8(0x40) & 0x40).toBe(0x40); // null count until the new count is loaded
    runTo(cycleOfTick(3700));
    expect(edges).toEqual([1000, 2000, 3000, 3300, 3600].map(cycleOfTick));
    io.out8(0x43, 0xe2);
    expect(io.in8(0x40) & 0x40).toBe(0);
  });

  it("mode 0 interrupts once at terminal count", () => {
    program(0, 5000);
    runTo(cycleOfTick(20000));
    expect(edges).toEqual([cycleOfTick(5000)]);
    expect(clock.nextEvent).toBe(Infinity);
  });

  it("latches the counter of a running channel (mode 2 counts N..1)", () => {
    program(2, 1000);
    clock.cycles = cycleOfTick(2 * 1000 + 250);
    io.out8(0x43, 0x00); // latch channel 0
    clock.cycles = cycleOfTick(2 * 1000 + 600); // keeps counting; the latch does not move
    const lo = io.in8(0x40);
    const hi = io.in8(0x40);
    expect(lo | (hi << 8)).toBe(750);
    // unlatched read now sees the live value
    expect(io.in8(0x40) | (io.in8(0x40) << 8)).toBe(400);
  });

  it("counts in BCD when the control word says so", () => {
    io.out8(0x43, 0x35); // channel 0, lobyte/hibyte, mode 2, BCD
    io.out8(0x40, 0x00);
    io.out8(0x40, 0x10); // 1000 decimal
    runTo(cycleOfTick(1000 + 250));
    io.out8(0x43, 0x00);
    expect(io.in8(0x40) | (io.in8(0x40) << 8)).toBe(0x0750);
    runTo(cycleOfTick(3000));
    expect(edges).toEqual([1, 2, 3].map((k) => cycleOfTick(1000 * k)));
  });

  it("reports null count in read-back until the count is written", () => {
    io.out8(0x43, 0x34);
    io.out8(0x43, 0xe2);
    expect(io.in8(0x40) & 0x40).toBe(0x40);
    io.out8(0x40, 0x10);
    io.out8(0x40, 0x00);
    io.out8(0x43, 0xe2);
    expect(io.in8(0x40)).toBe(0x80 | 0x34);
  });

  it("lobyte-only access loads the low byte", () => {
    io.out8(0x43, 0x14); // channel 0, lobyte only, mode 2
    io.out8(0x40, 200);
    runTo(cycleOfTick(400));
    expect(edges).toEqual([cycleOfTick(200), cycleOfTick(400)]);
  });

  it("channel 2 in mode 0 gated by port 0x61 shows its output on bit 5 (TSC calibration style)", () => {
    io.out8(0x61, 0x00); // gate low
    io.out8(0x43, 0xb0); // channel 2, lobyte/hibyte, mode 0
    io.out8(0x42, 0xe8);
    io.out8(0x42, 0x03); // 1000 ticks
    clock.cycles = cycleOfTick(5000);
    expect(io.in8(0x61) & 0x20).toBe(0); // paused while the gate is low
    io.out8(0x61, 0x01); // gate high: counting starts
    clock.cycles = cycleOfTick(5999);
    expect(io.in8(0x61) & 0x20).toBe(0);
    clock.cycles = cycleOfTick(6000);
    expect(io.in8(0x61) & 0x21).toBe(0x21);
  });

  it("toggles the refresh bit (port 0x61 bit 4) as time passes", () => {
    clock.cycles = 0;
    const a = io.in8(0x61) & 0x10;
    clock.cycles = 1000;
    const b = io.in8(0x61) & 0x10;
    expect(a).not.toBe(b);
  });
});
