// The compiled-region cache (icache.ts): its source-byte count stays exact as regions
// come and go, and making room drops the regions that did not run since the last time
// before touching the ones that did.
import { describe, expect, it } from "vitest";
import { ICache, enableRegions, holdRegion, evictRegions, dropSlots, judgeRegion, JUDGE_RUNS, NOT_COMPILABLE } from "../../emulator/cpu/icache.ts";
import type { Region } from "../../emulator/cpu/jit.ts";

const region: Region = () => 0;

function cacheWith(sizes: number[]): ICache {
  const ic = new ICache(16);
  enableRegions(ic);
  sizes.forEach((b, i) => holdRegion(ic, i * 7, region, b, 0));
  return ic;
}

const held = (ic: ICache): number[] => ic.regions.flatMap((f, i) => (f === null ? [] : [i]));

describe("compiled-region cache", () => {
  it("counts the source bytes it holds, through drops and recompiles", () => {
    const ic = cacheWith([100, 200, 300]);
    expect(ic.compiledBytes).toBe(600);
    dropSlots(ic, 7, 8);
    expect(ic.compiledBytes).toBe(400);
    expect(ic.hits[7]).toBe(0);
    holdRegion(ic, 14, region, 50, 0); // compiled again at a held slot
    expect(ic.compiledBytes).toBe(150);
    expect(held(ic)).toEqual([0, 14]);
  });

  it("drops only the regions that did not run since the last eviction while that makes room", () => {
    const ic = cacheWith([100, 200, 300, 400]);
    evictRegions(ic, 1000); // within budget: nothing happens
    expect(held(ic)).toEqual([0, 7, 14, 21]);
    ic.regionUsed.fill(0);
    ic.regionUsed[0] = 1;
    ic.regionUsed[14] = 1;
    evictRegions(ic, 900);
    expect(held(ic)).toEqual([0, 14]);
    expect(ic.compiledBytes).toBe(400);
    expect(ic.regionUsed[14]).toBe(0); // marks start over
  });

  it("drops everything when the regions that ran fill more than half the budget", () => {
    const ic = cacheWith([100, 200, 300, 400]);
    ic.regionUsed.fill(0);
    ic.regionUsed[21] = 1;
    ic.regionUsed[14] = 1;
    evictRegions(ic, 900);
    expect(held(ic)).toEqual([]);
    expect(ic.compiledBytes).toBe(0);
  });

  it("drops for good a region that runs only a few instructions each time, and keeps a longer one", () => {
    const ic = cacheWith([100, 200]);
    for (let i = 0; i < JUDGE_RUNS; i++) {
      judgeRegion(ic, 0, 2); // a PIC thunk: call, mov, ret
      judgeRegion(ic, 7, i === 0 ? 1 : 40);
    }
    expect(held(ic)).toEqual([7]);
    expect(ic.hits[0]).toBe(NOT_COMPILABLE);
    expect(ic.compiledBytes).toBe(200);
    expect(ic.regionRuns[7]).toBe(JUDGE_RUNS); // judged once: the caller stops counting
  });
});
