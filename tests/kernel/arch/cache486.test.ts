import { describe, expect, it } from "vitest";
import { Cache486, LINE_FILL } from "../../../kernel/arch/cache486.ts";

// Addresses 2 KiB apart fall in the same set (128 sets of 16-byte lines).
const SAME_SET = 128 * 16;

describe("the 486 cache model", () => {
  it("fills a line on the first read and hits on the rest of it", () => {
    const c = new Cache486();
    expect(c.read(0x1000)).toBe(LINE_FILL);
    expect(c.read(0x1004)).toBe(0);
    expect(c.read(0x100c)).toBe(0);
    expect(c.read(0x1010)).toBe(LINE_FILL);
    expect(c.fills).toBe(2);
  });

  it("holds four lines per set and replaces by pseudo-LRU", () => {
    const c = new Cache486();
    for (let w = 0; w < 4; w++) expect(c.read(w * SAME_SET)).toBe(LINE_FILL);
    for (let w = 0; w < 4; w++) expect(c.read(w * SAME_SET)).toBe(0);
    // Way 0 used last points the next fill at pair 2-3, where way 3 was used after way 2: way 2 goes.
    c.read(0);
    expect(c.read(4 * SAME_SET)).toBe(LINE_FILL);
    expect(c.read(3 * SAME_SET)).toBe(0);
    expect(c.read(0)).toBe(0);
    expect(c.read(2 * SAME_SET)).toBe(LINE_FILL);
  });

  it("does not allocate on a write miss (write-through)", () => {
    const c = new Cache486();
    c.write(0x2000);
    expect(c.read(0x2000)).toBe(LINE_FILL);
    c.write(0x2000);
    expect(c.read(0x2000)).toBe(0);
  });

  it("misses on every line of a walk bigger than the cache and on none of a walk that fits", () => {
    const c = new Cache486();
    const walk = (bytes: number): number => c.readRange(0x100000, bytes) / LINE_FILL;
    expect(walk(4096)).toBe(256);
    expect(walk(4096)).toBe(0);
    c.invalidate();
    expect(walk(16384)).toBe(1024);
    expect(walk(16384)).toBe(1024);
  });
});
