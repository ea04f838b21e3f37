// Hostile random system calls (userland/bin/sysfuzz -x): besides random
// arguments, workers load random segment selectors before calls, hand
// set_thread_area/get_thread_area/modify_ldt random descriptors, sigreturn
// through random signal frames (selectors, EFLAGS with IOPL VM NT AC TF,
// fpstate pointers, bad ESP and EIP) and scramble the frames of their own
// signal handlers. Several seeds, as root and as uid 1000, one memory-manager
// design each: the kernel must not panic or throw, every worker must be
// accounted for, the shell must still answer, and once every worker is gone
// the free frames are where they were and the frame accounting holds.

import { describe, expect, it } from "vitest";
import { GuestSession } from "../support/guest.ts";

const CHILDREN = 40;
const CALLS = 4000;
const RUNS: { design: string; seeds: number[] }[] = [
  { design: "classic", seeds: [11, 12] },
  { design: "vma", seeds: [13, 14] },
  { design: "lazy", seeds: [15, 16] },
  { design: "sharedpt", seeds: [17, 18] },
];

const summary = (seed: number) =>
  new RegExp(
    `^sysfuzz: seed ${seed} children ${CHILDREN} calls ${CALLS} exited (\\d+) signalled (\\d+)(?: \\((SIG\\w+ \\d+(?:, SIG\\w+ \\d+)*)\\))?\\n` +
      `sysfuzz: made (\\d+) calls: (\\d+) with a random selector, (\\d+) random signal frames, (\\d+) random descriptors, (\\d+) scrambled frames\\n$`,
  );

/** Fuzz cases each run made, summed over the file (reported by the last test). */
const made = { calls: 0, selectors: 0, frames: 0, descriptors: 0, scrambles: 0 };

describe.each(RUNS)("hostile sysfuzz under mm=$design", ({ design, seeds }) => {
  it("seeds as root and as uid 1000 neither crash the kernel nor leak a frame", { timeout: 120_000 }, () => {
    const s = new GuestSession({ cmdline: `quiet mm=${design}` });
    const fuzz = (seed: number, uid: number) => {
      const r = s.runStatus(`/bin/sysfuzz -x -s ${seed} -n ${CALLS} -c ${CHILDREN}${uid ? ` -u ${uid}` : ""}`, 600);
      const m = summary(seed).exec(r.output);
      expect(m, r.output).not.toBeNull();
      expect(r.status).toBe(0);
      expect(Number(m![1]) + Number(m![2])).toBe(CHILDREN);
      const bySignal = (m![3] ?? "").split(", ").filter(Boolean).map((x) => Number(x.split(" ")[1]));
      expect(bySignal.reduce((a, b) => a + b, 0)).toBe(Number(m![2]));
      const [calls, selectors, frames, descriptors, scrambles] = m!.slice(4, 9).map(Number);
      expect(selectors).toBeGreaterThan(0);
      expect(frames).toBeGreaterThan(0);
      expect(calls).toBeGreaterThanOrEqual(selectors + frames);
      Object.assign(made, {
        calls: made.calls + calls,
        selectors: made.selectors + selectors,
        frames: made.frames + frames,
        descriptors: made.descriptors + descriptors,
        scrambles: made.scrambles + scrambles,
      });
      expect(s.check()).toEqual([]);
      return r.output;
    };
    // uid 1000 first: root workers may fchmod their fds 0-2, which are /dev/null
    fuzz(seeds[1], 1000);
    const first = fuzz(seeds[0], 0); // also warms the page cache
    const free = s.freeFrames();
    expect(fuzz(seeds[0], 0)).toBe(first); // deterministic: same seed, same lines
    expect(s.freeFrames()).toBe(free);
    expect(s.check()).toEqual([]);
    expect(s.run("echo ok")).toBe("ok");
    expect(s.run("ls /tmp")).toBe("");
    if (design === RUNS[RUNS.length - 1].design) console.log(`hostile sysfuzz: ${JSON.stringify(made)}`);
  });
});
