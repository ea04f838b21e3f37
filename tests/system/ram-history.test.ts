// system/ram-history.ts: each distinct page content is stored once across
// captures, a capture restores exactly, and releasing captures frees the
// pages only they used.

import { describe, expect, it } from "vitest";
import { RamHistory } from "../../system/ram-history.ts";

describe("RamHistory", () => {
  it("stores each page content once, restores captures exactly, frees what no capture uses", () => {
    const ram = new Uint8Array(8 * 4096); // zero pages: one copy
    const h = new RamHistory();
    const a = h.capture(ram);
    expect(h.bytes).toBe(4096);
    expect(new Set(a).size).toBe(1);
    ram[5 * 4096 + 7] = 1; // one page changes
    ram.copyWithin(6 * 4096, 5 * 4096, 6 * 4096); // another becomes the same content
    const b = h.capture(ram);
    expect(h.bytes).toBe(2 * 4096);
    expect(b[5]).toBe(b[6]);
    ram[0] = 9;
    ram[5 * 4096 + 7] = 0; // back to zero: found again by content, not stored twice
    const c = h.capture(ram);
    expect(h.bytes).toBe(3 * 4096);
    expect(c[5]).toBe(a[5]);

    const out = new Uint8Array(ram.length).fill(0xee);
    h.restore(b, out);
    expect(out[5 * 4096 + 7]).toBe(1);
    expect(out[6 * 4096 + 7]).toBe(1);
    expect(out[0]).toBe(0);
    expect(out.filter((x) => x !== 0).length).toBe(2);

    h.release(b); // its changed page is still page 6 of c
    expect(h.bytes).toBe(3 * 4096);
    h.restore(c, out);
    expect(out[0]).toBe(9);
    expect(out[6 * 4096 + 7]).toBe(1);
    expect(out.filter((x) => x !== 0).length).toBe(2);
    h.release(c); // page 0's new content and the changed page go; the zero page is a's
    expect(h.bytes).toBe(4096);
    h.release(a);
    expect(h.bytes).toBe(0);
  });
});
