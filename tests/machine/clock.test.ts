import { describe, expect, it } from "vitest";
import { Clock, CPU_HZ } from "../../emulator/machine/clock.ts";

describe("Clock", () => {
  it("runs due events in order and reports the next one", () => {
    const c = new Clock();
    const log: string[] = [];
    c.schedule(300, () => void log.push("c"));
    c.schedule(100, () => void log.push("a"));
    const b = c.schedule(200, () => void log.push("b"));
    expect(c.nextEvent).toBe(100);
    c.cancel(b);
    c.cycles = 250;
    c.runDue();
    expect(log).toEqual(["a"]);
    expect(c.nextEvent).toBe(300);
    c.cycles = 300;
    c.runDue();
    expect(log).toEqual(["a", "c"]);
    expect(c.nextEvent).toBe(Infinity);
  });

  it("derives guest time from cycles", () => {
    const c = new Clock();
    c.cycles = CPU_HZ * 2;
    expect(c.nanoseconds()).toBe(2_000_000_000);
  });
});
