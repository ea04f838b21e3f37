// Guest files cannot grow the host process: ramfs and tmpfs pages are guest
// frames, so a guest that writes several times its RAM into files (each
// write stopping at ENOSPC) leaves the host's resident set bounded by guest
// RAM. A correctness bound, not a speed claim: before file pages lived in
// guest RAM, `cat /dev/zero > /big` never stopped and the host grew with it.

import { describe, it, expect } from "vitest";
import { getHeapSpaceStatistics, setFlagsFromString } from "node:v8";
import { runInNewContext } from "node:vm";
import { GuestSession } from "../../support/guest.ts";

// A full collection before each reading, so that garbage the warm-up left
// (or did not yet leave) does not count: the bound is on what stays alive.
setFlagsFromString("--expose-gc");
const gc = runInNewContext("gc") as () => void;
function hostMemory(): { rss: number; live: number } {
  gc();
  gc(); // (array buffers a collection frees are released after it, by another thread)
  const m = process.memoryUsage();
  // (less the machine code V8 keeps, which grows as it optimizes more of the emulator and
  // of the block compiler's regions: not guest data)
  const code = getHeapSpaceStatistics()
    .filter((s) => s.space_name.startsWith("code_"))
    .reduce((n, s) => n + s.space_used_size, 0);
  return { rss: m.rss, live: m.heapUsed + m.external - code };
}

const MiB = 1 << 20;
const RAM = 16 * MiB;

describe("host memory under guest file writes", () => {
  it("writing over 4x guest RAM to / and /tmp keeps host RSS growth under 2x guest RAM and live memory growth under RAM/4", { timeout: 240_000 }, () => {
    const s = new GuestSession({ memorySize: RAM, cmdline: "quiet" });
    // the code paths run (and the block compiler fills its bounded cache) before measuring
    for (const path of ["/warm", "/tmp/warm"]) s.run(`cat /dev/zero > ${path}; ls -l ${path}; rm ${path}`, 600);
    const before = hostMemory();
    let written = 0;
    for (const path of ["/big", "/tmp/big", "/big", "/tmp/big", "/big", "/tmp/big", "/big", "/tmp/big"]) {
      const r = s.run(`cat /dev/zero > ${path}; ls -l ${path}; rm ${path}`, 600);
      expect(r).toMatch(/^cat: write error: No space left on device$/m);
      const m = new RegExp(`^-\\S+ +1 +\\S+ +\\S+ +(\\d+) .* ${path}$`, "m").exec(r);
      expect(m, r).not.toBeNull();
      const bytes = Number(m![1]);
      // The file got (nearly) all of free RAM, or all of tmpfs's half of it, and no more.
      expect(bytes).toBeGreaterThan(path === "/big" ? RAM / 2 : RAM / 4);
      expect(bytes).toBeLessThan(RAM);
      expect(s.check()).toEqual([]);
      written += bytes;
    }
    expect(written).toBeGreaterThan(4 * RAM);
    const after = hostMemory();
    expect(after.live - before.live).toBeLessThan(RAM / 4);
    expect(after.rss - before.rss).toBeLessThan(2 * RAM);
  });
});
