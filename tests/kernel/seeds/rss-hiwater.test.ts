// Seed 001's rss = file_rss + anon_rss and the high-water marks in the guest:
// VmHWM/VmPeak keep the peak after munmap, a forked child counts the pages it
// shares, shared memory is RssShmem — under every mm design.

import { describe, expect, it } from "vitest";
import { GuestSession } from "../../support/guest.ts";

const DESIGNS = ["classic", "vma", "lazy", "sharedpt"];

describe.each(DESIGNS)("rss accounting under mm=%s", (design) => {
  it("keeps VmHWM and VmPeak at the peak", () => {
    const s = new GuestSession({ cmdline: `quiet mm=${design}` });
    const r = s.runStatus("/tests/rss_hiwater");
    expect(r.output).toBe([
      "PASS rss_grows", "PASS rss_is_file_plus_anon", "PASS vmhwm_stays_at_peak", "PASS vmpeak_stays_at_peak",
      "PASS rss_child_counts_shared", "PASS rss_shmem", "",
    ].join("\n"));
    expect(r.status).toBe(0);
    expect(s.check()).toEqual([]);
  });
});
