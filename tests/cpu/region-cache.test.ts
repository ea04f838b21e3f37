// The compiled-region cache (icache.ts): its source-byte count stays exact as regions
// come and go, and making room drops the regions that did not run since the last time
// before touching the ones that did.
import { describe, expect, it } from "vitest";
import { ICache, regionTable, holdRegion, evictRegions, dropRegion, dropAllRegions } from "../../emulator/cpu/icache.ts";
import type { Region } from "../../emulator/cpu/jit.ts";

const region: Region = () => 0;

/** A cache holding regions of the given sizes at offsets 0, 7, 14, ... of table 0. */
function cacheWith(sizes: number[]): ICache {
  const ic = new ICache(16);
  sizes.forEach((b, i) => holdRegion(ic, regionTable(ic, 0), i * 7, region, b, 0));
  return ic;
}

/** The offsets of table 0 that hold a region. */
const held = (ic: ICache): number[] => (ic.regions[0]?.fn ?? []).flatMap((f, i) => (f === null ? [] : [i]));

describe("compiled-region cache", () => {
  it("holds no region state for a table until an entry of it is counted", () => {
    const ic = new ICache(16);
    expect(ic.regions.every((rt) => rt === null)).toBe(true);
    regionTable(ic, 3).hits[5]++;
    expect(ic.regions.filter((rt) => rt !== null).length).toBe(1);
    expect(regionTable(ic, 3).hits[5]).toBe(1); // the same table again
  });

  it("counts the source bytes it holds, through drops and recompiles", () => {
    const ic = cacheWith([100, 200, 300]);
    const rt = regionTable(ic, 0);
    expect(ic.compiledBytes).toBe(600);
    rt.hits[7] = 5;
    dropRegion(ic, rt, 7);
    expect(ic.compiledBytes).toBe(400);
    expect(rt.hits[7]).toBe(0);
    holdRegion(ic, rt, 14, region, 50, 0); // compiled again at a held offset
    expect(ic.compiledBytes).toBe(150);
    expect(held(ic)).toEqual([0, 14]);
    holdRegion(ic, regionTable(ic, 2), 0, region, 25, 0);
    expect(ic.compiledBytes).toBe(175);
    dropAllRegions(ic);
    expect(ic.compiledBytes).toBe(0);
    expect(ic.regions.every((rt) => rt === null)).toBe(true);
  });

  it("drops only the regions that did not run since the last eviction while that makes room", () => {
    const ic = cacheWith([100, 200, 300, 400]);
    const rt = regionTable(ic, 0);
    evictRegions(ic, 1000); // within budget: nothing happens
    expect(held(ic)).toEqual([0, 7, 14, 21]);
    rt.used.fill(0);
    rt.used[0] = 1;
    rt.used[14] = 1;
    evictRegions(ic, 900);
    expect(held(ic)).toEqual([0, 14]);
    expect(ic.compiledBytes).toBe(400);
    expect(rt.used[14]).toBe(0); // marks start over
  });

  it("drops everything when the regions that ran fill more than half the budget", () => {
    const ic = cacheWith([100, 200, 300, 400]);
    const rt = regionTable(ic, 0);
    rt.used.fill(0);
    rt.used[21] = 1;
    rt.used[14] = 1;
    evictRegions(ic, 900);
    expect(held(ic)).toEqual([]);
    expect(ic.compiledBytes).toBe(0);
  });

});
