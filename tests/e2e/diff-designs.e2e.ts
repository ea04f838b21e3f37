// End-to-end test of the design diff in the web page's benchmark tab
// (Chromium): "Compare designs" runs /tests/fork_cow under the four designs
// in the worker and draws the comparison; the page's result must be the one
// `vmalab diff-designs --json` prints for the same program (same first
// divergence, faults, counters, cycles and output: both start from the same
// deterministic boot), and the drawing must show it (one strip per design
// with its fault count, a red tick per row where the designs differ, the
// first divergence named). Screenshot in test-output/. Skips without
// /usr/bin/chromium, fails instead when CI=true.

import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { execFileSync } from "node:child_process";
import { existsSync, mkdirSync } from "node:fs";
import type { Page } from "playwright-core";
import { missingBrowser } from "./browser.ts";
import { openSite, REPO, type OpenPage } from "./page.ts";
import type { DesignDiff } from "../../system/diff-designs.ts";
import { hex8 } from "../../monitor/format.ts";

const OUT = `${REPO}test-output`;
const missing = missingBrowser() ?? (existsSync(`${REPO}system/system.ts`) ? null : "no kernel guest (system/system.ts)");
if (missing && process.env.CI === "true") throw new Error(`e2e: ${missing} (required when CI=true)`);
if (missing) console.log(`skipping the web design-diff e2e test: ${missing}`);

declare const vmalab: { diff: DesignDiff | null; consoleText(): string };

describe.skipIf(missing !== null)("the design diff in Chromium", () => {
  let site: OpenPage;
  let page: Page;

  beforeAll(async () => {
    site = await openSite("/diff/", "guest=kernel");
    page = site.page;
  });

  afterAll(async () => {
    await site?.close();
  });

  it("draws the comparison vmalab diff-designs prints", async () => {
    await page.waitForFunction(() => vmalab.consoleText().includes("# "), undefined, { timeout: 60_000 });
    await page.click('#tabs button[data-tab="bench"]');
    await page.fill("#diff-argv", "/tests/fork_cow");
    await page.click("#diff-run");
    await page.waitForFunction(() => vmalab.diff !== null, undefined, { timeout: 120_000 });
    const web = (await page.evaluate(() => vmalab.diff))!;

    const cli = JSON.parse(execFileSync("node", [`${REPO}bin/vmalab.mjs`, "diff-designs", "--json", "--", "/tests/fork_cow"], { encoding: "utf8" }));
    expect(web.designs).toEqual(["classic", "vma", "lazy", "sharedpt"]);
    expect(web.firstDivergence).toEqual(cli.firstDivergence);
    expect(web.firstDivergence).not.toBeNull();
    expect(web.outputsIdentical).toBe(true);
    web.runs.forEach((r, j) => {
      const c = cli.runs[j];
      expect({ design: r.design, status: r.status, output: r.output, cycles: r.cycles, counters: r.counters, frameCheck: r.frameCheck }).toEqual({
        design: c.design, status: c.status, output: c.output, cycles: c.cycles, counters: c.counters, frameCheck: c.frameCheck,
      });
      expect(r.faults.map((f) => ({ ...f, eip: f.eip === null ? null : hex8(f.eip), address: hex8(f.address) }))).toEqual(c.faults);
    });

    // the drawing shows the data
    const drawn = await page.evaluate(() => ({
      summary: document.querySelector(".diff-summary")!.textContent!,
      strips: Array.from(document.querySelectorAll<SVGGElement>(".diff-strip")).map((g) => [g.dataset.design, Number(g.dataset.faults), g.childElementCount]),
      ticks: document.querySelectorAll(".diff-tick").length,
      first: document.querySelectorAll(".diff-first").length,
      counters: Array.from(document.querySelectorAll(".diff-counters text.chart-label")).map((t) => t.textContent),
    }));
    const fd = web.firstDivergence!;
    const group = web.pids.find((g) => g.pid === fd.pid)!;
    const row = group.rows[fd.row];
    const each = row.faults.map((i, j) => `${web.designs[j]} ${i === null ? "none" : web.runs[j].faults[i].decision}`).join(", ");
    expect(drawn.summary).toContain(`first divergence: pid ${fd.pid} (${group.comm}) fault #${fd.row + 1}, ${hex8(row.address)} ${row.write ? "write" : "read"}: ${each}`);
    expect(drawn.summary).toContain("the same output under every design (exit 0)");
    const expectedStrips = web.pids.flatMap((g) => web.designs.map((d, j) => [d, g.counts[j]]));
    expect(drawn.strips.map(([d, n]) => [d, n])).toEqual(expectedStrips);
    for (const [, n, rects] of drawn.strips) expect(rects).toBeLessThanOrEqual(n as number); // runs of one decision are one rect
    expect(drawn.ticks).toBe(web.pids.reduce((n, g) => n + g.rows.filter((r) => r.differs).length, 0));
    expect(drawn.first).toBe(1);
    expect(drawn.counters).toEqual(web.counters.map((c) => `${c.differs ? "* " : ""}${c.name}`));

    mkdirSync(OUT, { recursive: true });
    await page.screenshot({ path: `${OUT}/web-diff-designs.png`, fullPage: true });
    expect(site.pageErrors).toEqual([]);
  });
});
