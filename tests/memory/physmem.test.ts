import { describe, expect, it } from "vitest";
import { PhysicalMemory } from "../../emulator/memory/physmem.ts";
import { IoPorts } from "../../emulator/io/ports.ts";

describe("PhysicalMemory", () => {
  it("reads and writes RAM little-endian at every width", () => {
    const m = new PhysicalMemory(64 * 1024);
    m.write32(0x100, 0x11223344);
    expect(m.read8(0x100)).toBe(0x44);
    expect(m.read16(0x101)).toBe(0x2233);
    expect(m.read32(0x100) >>> 0).toBe(0x11223344);
    m.write16(0xfff, 0xbeef); // crosses a page
    expect(m.read8(0xfff)).toBe(0xef);
    expect(m.read8(0x1000)).toBe(0xbe);
  });

  it("returns all ones for unmapped addresses and drops writes there", () => {
    const m = new PhysicalMemory(64 * 1024);
    m.write32(0x20000, 0x12345678);
    expect(m.read32(0x20000)).toBe(-1);
    expect(m.read8(0xfffff000)).toBe(0xff);
  });

  it("maps a ROM image read-only at two places", () => {
    const m = new PhysicalMemory(2 * 1024 * 1024);
    const rom = new Uint8Array(0x10000);
    rom[0xfff0] = 0xea;
    m.mapRom(0xf0000, rom);
    m.mapRom(0xffff0000, rom);
    expect(m.read8(0xffff0)).toBe(0xea);
    expect(m.read8(0xfffffff0)).toBe(0xea);
    m.write8(0xffff0, 0x90);
    expect(m.read8(0xffff0)).toBe(0xea);
    // RAM just below the ROM window is still RAM.
    m.write8(0xeffff, 7);
    expect(m.read8(0xeffff)).toBe(7);
  });

  it("routes MMIO pages to their device with offsets", () => {
    const m = new PhysicalMemory(1024 * 1024);
    const seen: string[] = [];
    m.mapMmio(0xfec00000, 0x1000, {
      read8: (o) => o & 0xff,
      write8: (o, v) => void seen.push(`${o}=${v}`),
      read32: (o) => 0x1000 + o,
    });
    expect(m.read32(0xfec00010)).toBe(0x1010);
    expect(m.read8(0xfec00021)).toBe(0x21);
    m.write16(0xfec00004, 0x0201);
    expect(seen).toEqual(["4=1", "5=2"]);
  });

  it("tells the CPU when a page holding decoded code is written", () => {
    const m = new PhysicalMemory(64 * 1024);
    const hits: number[] = [];
    m.onCodeWrite = (p) => void hits.push(p);
    m.codePages[3] = 1;
    m.write8(0x2fff, 1);
    m.write32(0x2ffe, 0); // spans pages 2 and 3
    m.writeBytes(0x3800, new Uint8Array([1, 2, 3]));
    expect(hits).toEqual([3, 3]);
    expect(hits.length).toBe(2);
    m.write8(0x3000, 5);
    expect(hits).toEqual([3, 3, 3]);
  });

  it("rejects impossible RAM sizes", () => {
    expect(() => new PhysicalMemory(1000)).toThrow(/multiple of 4 KiB/);
  });
});

describe("IoPorts", () => {
  it("reads all ones from ports nobody decodes and splits wide accesses", () => {
    const io = new IoPorts();
    expect(io.in8(0x1234)).toBe(0xff);
    expect(io.in16(0x1234)).toBe(0xffff);
    const bytes: number[] = [];
    io.register(0x300, 4, { out8: (p, v) => void bytes.push(p, v), in8: (p) => p & 0xff });
    io.out32(0x300, 0x04030201);
    expect(bytes).toEqual([0x300, 1, 0x301, 2, 0x302, 3, 0x303, 4]);
    expect(io.in32(0x300) >>> 0).toBe(0x03020100);
  });
});
