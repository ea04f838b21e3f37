// Seed 001's vm_insert_page in the guest: /dev/vmstat inserts a kernel page of
// live counters; the guest's vmstat program reads it without system calls, and
// fork copies the area under every design (lazy included).

import { describe, expect, it } from "vitest";
import { GuestSession } from "../../support/guest.ts";
import { vmstatPageOf } from "../../../kernel/drivers/mm-devices.ts";

const DESIGNS = ["classic", "vma", "lazy", "sharedpt"];

describe.each(DESIGNS)("/dev/vmstat (vmInsertPage) under mm=%s", (design) => {
  it("shows live counters, is copied on fork, leaks nothing", () => {
    const s = new GuestSession({ cmdline: `quiet mm=${design}` });
    const r = s.runStatus("/tests/vmstat_page");
    expect(r.output.split("\n").filter((l) => l.startsWith("FAIL"))).toEqual([]);
    expect(r.output).toContain("PASS vmstat_copied_on_fork");
    expect(r.status).toBe(0);
    const page = vmstatPageOf(s.kernel)!;
    const total = s.run("/bin/vmstat nr_total_pages");
    expect(total).toBe(`nr_total_pages=${s.kernel.mmctx.frames.totalram}`);
    const all = s.run("/bin/vmstat");
    expect(all).toMatch(/^fault_demand_zero +\d+$/m);
    expect(all).toMatch(/^pswpout +0$/m);
    expect(s.kernel.mmctx.frames.mapcount[page.pfn]).toBe(0);
    expect(s.kernel.mmctx.frames.count[page.pfn]).toBe(1);
    expect(s.check()).toEqual([]);
  });
});
