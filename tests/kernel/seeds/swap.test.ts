// Reclaim, swap and the OOM killer in the guest (issue 7 item 5): with a
// RAM-backed swap area a process larger than RAM runs to completion (its
// pages go out and come back, shared copy-on-write with a forked child); with
// no swap the OOM killer kills the largest process, not the one faulting, and
// says so on the console. No frame and no swap slot is leaked.

import { describe, expect, it } from "vitest";
import { GuestSession } from "../../support/guest.ts";
import { Monitor } from "../../../monitor/monitor.ts";
import { isSwapPte, swapPteSlot } from "../../../kernel/mm/swap.ts";

const DESIGNS = ["classic", "vma", "lazy", "sharedpt"];
const MiB = 1024 * 1024;

function vmstat(s: GuestSession): Record<string, number> {
  return Object.fromEntries(s.run("cat /proc/vmstat").trim().split("\n").map((l) => {
    const [k, v] = l.split(" ");
    return [k, Number(v)];
  }));
}

describe.each(DESIGNS)("reclaim and swap under mm=%s", (design) => {
  it("runs a process larger than RAM with swap", () => {
    const s = new GuestSession({ cmdline: `quiet mm=${design} swap=32M`, memorySize: 16 * MiB });
    expect(s.run("cat /proc/meminfo")).toMatch(/^SwapTotal: +32764 kB$/m);
    const r = s.runStatus("/bin/memhog 24", 600);
    expect(r.output).toBe("memhog: 6144 pages ok, child ok\n");
    expect(r.status).toBe(0);
    const v = vmstat(s);
    expect(v.pswpout).toBeGreaterThan(6144);
    expect(v.pswpin).toBeGreaterThan(6144);
    expect(v.pgmajfault).toBeGreaterThanOrEqual(v.pswpin);
    expect(v.oom_kill).toBe(0);
    expect(s.check()).toEqual([]); // every swap slot in use is held by exactly its PTEs
    const ctx = s.kernel.mmctx;
    expect(v.nr_swap_used).toBe(ctx.swap.usedCount);
    expect(ctx.swap.usedCount).toBeLessThan(64); // only the shell's and init's cold pages stay out

    // The monitor shows the swap area and decodes a swapped-out PTE.
    const mon = new Monitor(s.sys);
    expect(mon.execute("meminfo")).toMatch(new RegExp(`^swap: 8191 slots, ${ctx.swap.usedCount} used, \\d+ in the swap cache$`, "m"));
    let found = false;
    for (const t of s.kernel.tasks.values()) {
      const mm = t.mm!;
      for (const v of mm.vmas) {
        for (let va = v.vmStart; va < v.vmEnd && !found; va += 4096) {
          const pde = ctx.mem.read32(mm.pgd + (va >>> 22) * 4);
          if (!(pde & 1)) continue;
          const pte = ctx.mem.read32(((pde & ~0xfff) >>> 0) + ((va >>> 12) & 0x3ff) * 4);
          if (!isSwapPte(pte)) continue;
          const out = mon.execute(`walk ${t.pid} 0x${va.toString(16)}`).split("\n");
          expect(out[2]).toMatch(/= [0-9a-f]{8}  not present \(swap entry\)$/);
          expect(out[3]).toMatch(new RegExp(`^swap entry: slot ${swapPteSlot(pte)}, used by \\d+ PTEs?`));
          found = true;
        }
      }
    }
    expect(found).toBe(true);
  });

  it("runs the guest tests on a small machine whose memory was swapped out", () => {
    const s = new GuestSession({ cmdline: `quiet mm=${design} swap=32M`, memorySize: 12 * MiB });
    expect(s.run("/bin/memhog 16", 600)).toBe("memhog: 4096 pages ok, child ok");
    for (const t of ["fork_cow", "map_shared", "mmap_split", "madv_remove", "devmem", "vmstat_page", "rss_hiwater"]) {
      const r = s.runStatus(`/tests/${t}`, 600);
      expect(r.output.split("\n").filter((l) => l.startsWith("FAIL")), t).toEqual([]);
      expect(r.status, t).toBe(0);
      expect(s.check(), t).toEqual([]);
    }
    expect(vmstat(s).pswpin).toBeGreaterThan(1000);
  });

  it("kills the largest process when memory and swap are exhausted", () => {
    const s = new GuestSession({ cmdline: `quiet mm=${design}`, memorySize: 16 * MiB });
    const r = s.runStatus("/bin/memhog -o 10 6; sleep 2", 600);
    expect(r.output).toContain("Killed\n");
    expect(r.output).toContain("memhog: child survived, 0 bad pages\n");
    const m = /Out of memory: Killed process (\d+) \(memhog\) total-vm:(\d+)kB, anon-rss:(\d+)kB/.exec(r.output); // on the console even when booted quiet
    expect(m).not.toBeNull();
    expect(Number(m![3])).toBeGreaterThanOrEqual(10 * 1024); // the 10 MiB parent, not the 6 MiB child
    expect(vmstat(s).oom_kill).toBe(1);
    expect(s.check()).toEqual([]);
  });
});
