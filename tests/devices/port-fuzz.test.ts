// Guest nonsense on the device ports must never become a host exception:
// random reads and writes (seeded, so a failure reproduces) with time passing.
import { describe, it, expect } from "vitest";
import { IoPorts } from "../../emulator/io/ports.ts";
import { Clock } from "../../emulator/machine/clock.ts";
import { PhysicalMemory } from "../../emulator/memory/physmem.ts";
import { Pic } from "../../emulator/devices/pic.ts";
import { Pit } from "../../emulator/devices/pit.ts";
import { Uart } from "../../emulator/devices/uart.ts";
import { Rtc } from "../../emulator/devices/rtc.ts";
import { Vga } from "../../emulator/devices/vga.ts";
import { ResetControl } from "../../emulator/devices/reset.ts";

const PORTS = [0x20, 0x21, 0xa0, 0xa1, 0x40, 0x41, 0x42, 0x43, 0x61, 0x70, 0x71, 0x3d4, 0x3d5, 0x3da, 0x60, 0x64, 0x92,
  0x3f8, 0x3f9, 0x3fa, 0x3fb, 0x3fc, 0x3fd, 0x3fe, 0x3ff];

describe("device ports under random guest accesses", () => {
  it("never throw, keep the clock's events in the future and IRQ vectors in range", () => {
    let seed = 12345;
    const rnd = (n: number) => {
      seed = (Math.imul(seed, 1103515245) + 12345) >>> 0;
      return (seed >>> 8) % n;
    };
    const io = new IoPorts();
    const clock = new Clock();
    const mem = new PhysicalMemory(1 << 20);
    const pic = new Pic(io);
    new Pit(io, clock, (l) => pic.setIrq(0, l));
    const uart = new Uart(io, 0x3f8, (l) => pic.setIrq(4, l));
    new Rtc(io, clock, (l) => pic.setIrq(8, l), 1_700_000_000, 1 << 20);
    const vga = new Vga(io, mem, clock);
    new ResetControl(io);
    let events = 0;
    for (let i = 0; i < 200_000; i++) {
      const port = PORTS[rnd(PORTS.length)];
      if (rnd(2)) io.out8(port, rnd(256));
      else expect(io.in8(port)).toBeLessThan(256);
      if (rnd(50) === 0) uart.receive([rnd(256)]);
      clock.cycles += rnd(20_000);
      if (clock.nextEvent <= clock.cycles) {
        events++;
        clock.runDue();
      }
      expect(clock.nextEvent).toBeGreaterThan(clock.cycles);
      if (pic.hasInterrupt()) {
        const v = pic.acknowledge();
        expect(v >= 0 && v < 256).toBe(true);
      }
    }
    expect(events).toBeGreaterThan(0);
    expect(vga.snapshot().lines.length).toBe(25);
  });
});
