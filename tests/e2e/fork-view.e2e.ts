// End-to-end test of the Fork tab (Chromium): /tests/fork_cow's first fork
// under classic and sharedpt, side by side. The page must show what the
// kernel did: per side as many PDE and PTE visits, copies and shared or new
// tables as the kernel's own counters counted over the copy; classic visits
// every one of the 768 user PDEs where sharedpt shares tables and copies no
// PTE; the cells end in the state of the last operation on them (a PTE the
// parent lost its write bit on is "parent PTE write-protected" unless a
// fault came after); the child's COW faults follow. Screenshot in
// test-output/. Skips without /usr/bin/chromium, fails instead when CI=true.

import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { existsSync, mkdirSync } from "node:fs";
import type { Page } from "playwright-core";
import { missingBrowser } from "./browser.ts";
import { openSite, REPO, type OpenPage } from "./page.ts";
import type { ForkModel } from "../../web/components/fork-view.ts";

const OUT = `${REPO}test-output`;
const missing = missingBrowser() ?? (existsSync(`${REPO}system/system.ts`) ? null : "no kernel guest (system/system.ts)");
if (missing && process.env.CI === "true") throw new Error(`e2e: ${missing} (required when CI=true)`);
if (missing) console.log(`skipping the web fork-picture e2e test: ${missing}`);

declare const vmalab: { fork: ForkModel; consoleText(): string };

describe.skipIf(missing !== null)("the Fork tab in Chromium", () => {
  let site: OpenPage;
  let page: Page;

  beforeAll(async () => {
    mkdirSync(OUT, { recursive: true });
    site = await openSite("/fork/", "guest=kernel");
    page = site.page;
  });

  afterAll(async () => {
    await site?.close();
  });

  it("animates the kernel's own work of one fork under two designs", async () => {
    await page.waitForFunction(() => vmalab.consoleText().includes("# "), undefined, { timeout: 60_000 });
    await page.click('#tabs button[data-tab="fork"]');
    await page.click(".fork-run");
    await page.waitForFunction(() => vmalab.fork.status().includes("forked"), undefined, { timeout: 120_000 });
    // mid-animation at the normal speed: classic has more to show than sharedpt
    await page.waitForTimeout(300);
    await page.screenshot({ path: `${OUT}/web-fork-animating.png` });
    await page.waitForFunction(() => vmalab.fork.done(), undefined, { timeout: 60_000 });
    const sides = await page.evaluate(() => vmalab.fork.summary());
    expect(sides.map((s) => s.design)).toEqual(["classic", "sharedpt"]);
    for (const s of sides) {
      expect(s.ops["PDE visited"]).toBe(s.counters.pdeVisits);
      expect(s.ops["PTE visited"]).toBe(s.counters.pteVisits);
      expect(s.ops["PTE copied to the child"]).toBe(s.counters.ptesCopied);
      expect(s.ops["page table shared with the child"]).toBe(s.counters.tablesShared);
      expect(s.ops["page table allocated for the child"]).toBe(s.counters.tablesAllocated);
      expect(s.ops["parent PTE write-protected"]).toBeGreaterThan(0);
      expect(s.faults).toBeGreaterThan(0);
    }
    const [classic, sharedpt] = sides;
    expect(classic.ops["PDE visited"]).toBe(768);
    expect(sharedpt.ops["PTE copied to the child"]).toBe(0);
    expect(sharedpt.ops["page table shared with the child"]).toBeGreaterThan(0);
    // cells: an empty PDE far from every area was visited by classic only; the stack's table was shared by sharedpt
    expect(await page.evaluate(() => [vmalab.fork.state(0, 500), vmalab.fork.state(1, 500)])).toEqual(["PDE visited", "empty"]);
    expect(await page.evaluate(() => vmalab.fork.state(1, 767))).toBe("page table shared with the child");
    expect(await page.evaluate(() => vmalab.fork.state(0, 767))).toBe("page table allocated for the child");
    // the console's guest runs on after the traced runs
    await page.waitForFunction(() => document.getElementById("status")!.textContent!.includes("state running"), undefined, { timeout: 5000 });
    await page.screenshot({ path: `${OUT}/web-fork.png` });
    expect(site.pageErrors).toEqual([]);
  });

  it("replays on a 390 px phone screen without overflowing it or a main-thread task over 50 ms", async () => {
    await page.setViewportSize({ width: 390, height: 844 });
    const t0 = await page.evaluate(() => performance.now());
    await page.selectOption(".fork-speed", "2"); // fast
    await page.waitForFunction(() => !vmalab.fork.done(), undefined, { timeout: 5000 });
    await page.waitForFunction(() => vmalab.fork.done(), undefined, { timeout: 60_000 });
    expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(390);
    expect(await site.longTasksSince(t0)).toEqual([]);
    await page.screenshot({ path: `${OUT}/web-fork-390.png`, fullPage: true });
    expect(site.pageErrors).toEqual([]);
  });
});
