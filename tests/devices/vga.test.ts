import { describe, it, expect, beforeEach } from "vitest";
import { IoPorts } from "../../emulator/io/ports.ts";
import { Clock, CPU_HZ } from "../../emulator/machine/clock.ts";
import { PhysicalMemory } from "../../emulator/memory/physmem.ts";
import { Vga } from "../../emulator/devices/vga.ts";

describe("VGA text mode", () => {
  let io: IoPorts;
  let mem: PhysicalMemory;
  let clock: Clock;
  let vga: Vga;
  const crtc = (i: number, v: number) => (io.out8(0x3d4, i), io.out8(0x3d5, v));

  beforeEach(() => {
    io = new IoPorts();
    mem = new PhysicalMemory(1024 * 1024);
    clock = new Clock();
    vga = new Vga(io, mem, clock);
  });

  function put(row: number, col: number, text: string, attr: number): void {
    for (let i = 0; i < text.length; i++) {
      const a = 0xb8000 + (row * 80 + col + i) * 2;
      mem.write8(a, text.charCodeAt(i));
      mem.write8(a + 1, attr);
    }
  }

  it("shows the buffer as 25 lines of 80 with attributes and the cursor", () => {
    put(0, 0, "Hello", 0x1f);
    put(24, 75, "end", 0x07);
    mem.write8(0xb8000 + (1 * 80) * 2, 0xb3); // CP437 vertical line
    crtc(0x0e, 0x00);
    crtc(0x0f, 81);
    const s = vga.snapshot();
    expect(s.lines.length).toBe(25);
    expect(s.lines.every((l) => l.length === 80)).toBe(true);
    expect(s.lines[0]).toBe("Hello" + " ".repeat(75));
    expect(s.lines[1][0]).toBe("│");
    expect(s.lines[24].slice(75)).toBe("end  ");
    expect(s.attributes[0]).toBe(0x1f);
    expect(s.attributes[24 * 80 + 75]).toBe(0x07);
    expect(s.cursor).toEqual({ row: 1, col: 1, visible: true });
  });

  it("reads back CRTC registers, hides the cursor with bit 5 of register 0x0A", () => {
    crtc(0x0a, 0x20);
    io.out8(0x3d4, 0x0a);
    expect(io.in8(0x3d5)).toBe(0x20);
    expect(vga.snapshot().cursor.visible).toBe(false);
  });

  it("scrolls the view with the start address", () => {
    put(1, 0, "second", 0x07);
    crtc(0x0c, 0x00);
    crtc(0x0d, 80);
    expect(vga.snapshot().lines[0].startsWith("second")).toBe(true);
  });

  it("toggles vertical retrace in 0x3DA as guest time passes", () => {
    const frame = CPU_HZ / 60;
    clock.cycles = Math.floor(frame * 0.5);
    expect(io.in8(0x3da) & 0x08).toBe(0);
    clock.cycles = Math.floor(frame * 0.97);
    expect(io.in8(0x3da) & 0x08).toBe(0x08);
  });
});
