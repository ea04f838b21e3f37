import { describe, it, expect, beforeEach } from "vitest";
import { IoPorts } from "../../emulator/io/ports.ts";
import { Clock, CPU_HZ } from "../../emulator/machine/clock.ts";
import { Rtc } from "../../emulator/devices/rtc.ts";

// 1700000000 = Tuesday 2023-11-14 22:13:20 UTC
const START = 1_700_000_000;

describe("CMOS RTC", () => {
  let io: IoPorts;
  let clock: Clock;
  let irq: boolean;
  const cmos = (i: number) => (io.out8(0x70, i), io.in8(0x71));
  const setCmos = (i: number, v: number) => (io.out8(0x70, i), io.out8(0x71, v));

  beforeEach(() => {
    io = new IoPorts();
    clock = new Clock();
    irq = false;
    new Rtc(io, clock, (l) => (irq = l), START, 128 * 1024 * 1024);
  });

  it("reads the start date in BCD, 24-hour mode by default", () => {
    expect([0x00, 0x02, 0x04, 0x06, 0x07, 0x08, 0x09, 0x32].map(cmos)).toEqual([0x20, 0x13, 0x22, 0x03, 0x14, 0x11, 0x23, 0x20]);
    expect(cmos(0x0b)).toBe(0x02);
    expect(cmos(0x0d)).toBe(0x80);
  });

  it("advances with guest time", () => {
    clock.cycles = 100 * CPU_HZ + 5;
    expect(cmos(0x00)).toBe(0x00);
    expect(cmos(0x02)).toBe(0x15);
    clock.cycles = 2 * 3600 * CPU_HZ; // past midnight: Wednesday the 15th
    expect([cmos(0x04), cmos(0x06), cmos(0x07)]).toEqual([0x00, 0x04, 0x15]);
  });

  it("reads binary values with register B DM set, and 12-hour hours with the PM bit", () => {
    setCmos(0x0b, 0x06);
    expect([cmos(0x00), cmos(0x02), cmos(0x04), cmos(0x09)]).toEqual([20, 13, 22, 23]);
    setCmos(0x0b, 0x00); // BCD, 12-hour
    expect(cmos(0x04)).toBe(0x80 | 0x10);
  });

  it("sets UIP in the last 244 us of a second", () => {
    clock.cycles = CPU_HZ - 1000;
    expect(cmos(0x0a) & 0x80).toBe(0x80);
    clock.cycles = CPU_HZ + 1000;
    expect(cmos(0x0a) & 0x80).toBe(0);
  });

  it("lets the guest set a new date under SET", () => {
    setCmos(0x0b, 0x82);
    setCmos(0x09, 0x30);
    setCmos(0x02, 0x59);
    clock.cycles = 5 * CPU_HZ; // the clock is stopped while SET is on
    expect(cmos(0x00)).toBe(0x20);
    setCmos(0x0b, 0x02);
    expect([cmos(0x09), cmos(0x02), cmos(0x00)]).toEqual([0x30, 0x59, 0x20]);
    clock.cycles += 40 * CPU_HZ;
    expect([cmos(0x04), cmos(0x02), cmos(0x00)]).toEqual([0x23, 0x00, 0x00]);
  });

  it("holds the BIOS memory sizes for 128 MiB (extended KiB capped at 0xFFFF as PC BIOSes do)", () => {
    expect(cmos(0x15) | (cmos(0x16) << 8)).toBe(640);
    expect(cmos(0x17) | (cmos(0x18) << 8)).toBe(0xffff);
    expect(cmos(0x30) | (cmos(0x31) << 8)).toBe(0xffff);
    expect(cmos(0x34) | (cmos(0x35) << 8)).toBe(112 * 16);
  });

  it("holds the extended memory size in KiB for 32 MiB", () => {
    const io2 = new IoPorts();
    new Rtc(io2, clock, () => {}, START, 32 * 1024 * 1024);
    const c = (i: number) => (io2.out8(0x70, i), io2.in8(0x71));
    expect(c(0x17) | (c(0x18) << 8)).toBe(31 * 1024);
    expect(c(0x34) | (c(0x35) << 8)).toBe(256);
  });

  it("raises IRQ 8 for the periodic interrupt at 1024 Hz; reading C acknowledges", () => {
    setCmos(0x0b, 0x42); // PIE
    expect(clock.nextEvent).toBe(Math.ceil(CPU_HZ / 1024));
    clock.cycles = clock.nextEvent;
    clock.runDue();
    expect(irq).toBe(true);
    expect(cmos(0x0c)).toBe(0xc0);
    expect(irq).toBe(false);
    expect(cmos(0x0c)).toBe(0x00);
  });

  it("raises the update-ended interrupt once a second", () => {
    clock.cycles = CPU_HZ / 2;
    setCmos(0x0b, 0x12); // UIE
    expect(clock.nextEvent).toBe(CPU_HZ);
    clock.cycles = CPU_HZ;
    clock.runDue();
    expect(irq).toBe(true);
    expect(cmos(0x0c) & 0x90).toBe(0x90);
  });

  it("keeps NMI-disable out of the index and CMOS RAM bytes writable", () => {
    io.out8(0x70, 0x80 | 0x40);
    io.out8(0x71, 0xa5);
    expect(cmos(0x40)).toBe(0xa5);
  });
});
