// The kernel cost table (kernel/arch/kernel-cost.ts) is what tools/calibrate.ts measures
// on vmalab's CPU today, and every unit costs a positive whole number of cycles. Needs
// clang and ld.lld: skips without them (fails when CI=true).

import { describe, it, expect } from "vitest";
import { readFileSync } from "node:fs";
import { COST_FILE, buildImage, missingToolchain, renderCostFile, runImage, units } from "../../tools/calibrate.ts";
import { skipOrFail } from "../support/skip.ts";

const NAMES = ["PGD_SCAN", "PGD_RANGE", "PTE_SCAN", "PTE_COPY", "PTE_ZAP", "VMA_STEP", "VMA_FIND", "PAGE_ALLOC", "PAGE_FREE", "PAGE_PUT", "PAGE_CLEAR", "PAGE_COPY", "TLB_FLUSH_PAGE", "TLB_FLUSH_ALL"];

describe("npm run calibrate", () => {
  it("the committed kernel-cost.ts has every unit as a positive integer", () => {
    const text = readFileSync(COST_FILE, "utf8");
    const members = [...text.matchAll(/^\s+([A-Z_]+) = (\S+),$/gm)].map((m) => [m[1], m[2]]);
    expect(members.map((m) => m[0])).toEqual(NAMES);
    for (const [, v] of members) expect(v).toMatch(/^[1-9][0-9]*$/);
  });

  it("re-measuring gives the committed file, with exact linear series", () => {
    const missing = missingToolchain();
    if (missing) return skipOrFail(`calibration needs the C toolchain: ${missing}`);
    const list = units(runImage(buildImage()));
    expect(list.map((u) => u.name)).toEqual(NAMES);
    for (const u of list) {
      expect(Number.isInteger(u.cycles)).toBe(true);
      expect(u.cycles).toBeGreaterThan(0);
    }
    expect(renderCostFile(list)).toBe(readFileSync(COST_FILE, "utf8"));
  }, 60_000);
});
