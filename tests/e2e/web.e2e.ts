// End-to-end test of the web front end in Debian's Chromium: builds the site,
// serves dist/web from a plain static server under a subpath, boots the
// guest, types into the console, runs monitor commands, reads the VGA panel,
// reboots with another mm design, checks the page stays responsive while the
// guest runs flat out, and saves a screenshot in test-output/.
//
// The guest is the kernel when system/system.ts exists (prompt "# "), else
// the echo fixture kernel (prompt "$ "). Skips without /usr/bin/chromium,
// fails instead when CI=true.

import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { existsSync, mkdirSync, readFileSync } from "node:fs";
import type { Page } from "playwright-core";
import { missingBrowser } from "./browser.ts";
import { openSite, REPO, type OpenPage } from "./page.ts";

const OUT = `${REPO}test-output`;
const missing = missingBrowser();
if (missing && process.env.CI === "true") throw new Error(`e2e: ${missing} (required when CI=true)`);
if (missing) console.log(`skipping the web e2e tests: ${missing}`);

const KERNEL = existsSync(`${REPO}system/system.ts`) && process.env.VMALAB_E2E_GUEST !== "fixture";
const GUEST = KERNEL ? "kernel" : "fixture";
const PROMPT = KERNEL ? "# " : "$ ";

interface Hook {
  frames: number;
  boots: number;
  booted: null | { guest: string; design: string; cmdline: string };
  errors: string[];
  consoleText(): string;
  monitorText(): string;
  vgaText(): string;
}
declare const vmalab: Hook;

describe.skipIf(missing !== null)("web front end in Chromium", () => {
  let site: OpenPage;
  let page: Page;
  let pageErrors: string[] = [];

  const consoleText = () => page.evaluate(() => vmalab.consoleText());
  const monitorText = () => page.evaluate(() => vmalab.monitorText());
  const waitFor = async (what: string, pred: () => Promise<boolean>, ms = 60_000) => {
    const end = Date.now() + ms;
    while (!(await pred())) {
      if (Date.now() > end) throw new Error(`timed out waiting for ${what}; console:\n${JSON.stringify(await consoleText())}\nerrors: ${pageErrors.join("\n")}`);
      await page.waitForTimeout(100);
    }
  };
  /** Clicks the tab's terminal and types text (Enter as "\r"). */
  const typeInto = async (tab: string, text: string) => {
    await page.click(`#${tab} .xterm-screen`);
    await page.keyboard.type(text);
  };

  beforeAll(async () => {
    site = await openSite("/some/sub/path/", `guest=${GUEST}`);
    page = site.page;
    pageErrors = site.pageErrors;
  });

  afterAll(async () => {
    await site?.close();
  });

  it("boots to the prompt", async () => {
    await waitFor("the prompt", async () => (await consoleText()).endsWith(PROMPT.trimEnd()) || (await consoleText()).includes(PROMPT));
    const booted = await page.evaluate(() => vmalab.booted);
    expect(booted).toEqual({ guest: GUEST, design: "vma", cmdline: "mm=vma" });
    if (!KERNEL) expect((await consoleText()).split("\n")[0]).toBe("vmalab echo fixture");
    // the block compiler is on by default (tests/e2e/jit.e2e.ts turns it off with ?jit=0)
    await waitFor("the status bar", async () => /^JIT \d+ regions(, \d+% run compiled)?$/.test((await page.textContent('#status [data-stat="JIT"]')) ?? ""));
    expect(pageErrors).toEqual([]);
  });

  it("sends typed input to COM1 and shows the output", async () => {
    if (KERNEL) {
      await typeInto("console", "echo web ok\r");
      await waitFor("echo output", async () => /# echo web ok\nweb ok\n[^\n]*# /.test(await consoleText()));
      // a pipeline forks two processes
      await typeInto("console", "echo forked | wc -c\r");
      await waitFor("pipeline output", async () => /# echo forked \| wc -c\n\s*7\n[^\n]*# /.test(await consoleText()));
    } else {
      await typeInto("console", "hello web\r");
      await waitFor("the echo", async () => (await consoleText()).includes("$ hello web\n$"));
      expect((await consoleText()).split("\n")).toEqual(["vmalab echo fixture", "$ hello web", "$ "]);
    }
  });

  it("runs monitor commands in the monitor tab", async () => {
    await page.click('#tabs button[data-tab="monitor"]');
    await typeInto("monitor", "info registers\r");
    await waitFor("info registers", async () => /EAX=[0-9a-f]{8} EBX=/.test(await monitorText()));
    if (KERNEL) {
      await typeInto("monitor", "ps\r");
      await waitFor("ps", async () => /\binit\b/.test(await monitorText()));
      await typeInto("monitor", "pf stats\r");
      await waitFor("pf stats", async () => /demand-zero/.test(await monitorText()));
      // the live page-fault trace: run a program in the console, its faults stream into the monitor
      await typeInto("monitor", "pf trace on\r");
      await waitFor("trace on", async () => (await monitorText()).includes("fault trace on"));
      await page.click('#tabs button[data-tab="console"]');
      await typeInto("console", "ls /bin\r");
      await page.click('#tabs button[data-tab="monitor"]');
      await waitFor("trace lines", async () => /pf pid \d+ \(\S+\) eip [0-9a-f]{8} cr2 [0-9a-f]{8}/.test(await monitorText()));
      await typeInto("monitor", "pf trace off\r");
      await waitFor("trace off", async () => (await monitorText()).includes("fault trace off"));
    } else {
      await typeInto("monitor", "ps\r");
      await waitFor("ps without a kernel", async () => (await monitorText()).includes("ps: no kernel"));
    }
  });

  it("shows VGA text memory", async () => {
    await page.click('#tabs button[data-tab="vga"]');
    if (!KERNEL) {
      await waitFor("the VGA banner", async () => (await page.evaluate(() => vmalab.vgaText())).startsWith("vmalab echo fixture"));
      // the fixture counts received bytes at row 2, right-aligned: "hello web\r" = 10
      const rows = (await page.evaluate(() => vmalab.vgaText())).split("\n");
      expect(rows).toHaveLength(25);
      expect(rows[2].trimStart()).toBe("10");
      const colour = await page.$eval("#vga .vga-row span", (s) => [getComputedStyle(s).color, getComputedStyle(s).backgroundColor]);
      expect(colour).toEqual(["rgb(255, 255, 85)", "rgb(0, 0, 170)"]); // attribute 0x1E: yellow on blue
    } else {
      await waitFor("the VGA panel", async () => (await page.evaluate(() => vmalab.vgaText())).split("\n").length === 25);
    }
  });

  it("keeps the page responsive while the guest runs flat out", async () => {
    await page.click('#tabs button[data-tab="console"]');
    if (KERNEL) {
      // a CPU-bound guest program: fork/exit/wait in a loop for much longer than the check
      await typeInto("console", "/bench/fork_exit -n 1000000\r");
      await page.waitForTimeout(300);
    }
    const before = await page.evaluate(() => ({ frames: vmalab.frames, t: performance.now() }));
    const cycles0 = await page.$eval('#status [data-stat="cycles"]', (e) => e.textContent);
    await page.waitForTimeout(2000);
    const after = await page.evaluate(() => ({ frames: vmalab.frames, t: performance.now() }));
    const cycles1 = await page.$eval('#status [data-stat="cycles"]', (e) => e.textContent);
    const fps = ((after.frames - before.frames) * 1000) / (after.t - before.t);
    const status = await page.$eval("#status", (e) => Array.from(e.children, (c) => c.textContent).join(" | "));
    console.log(`e2e: ${fps.toFixed(1)} animation frames/s while the guest runs; status: ${status}`);
    expect(fps).toBeGreaterThan(20);
    expect(cycles1).not.toBe(cycles0);
    const long = await page.evaluate(
      ([t0, t1]) => (window as unknown as { longTasks: { start: number; duration: number }[] }).longTasks.filter((l) => l.start >= t0 && l.start <= t1),
      [before.t, after.t],
    );
    // The page's own work per frame is tiny (a status line, terminal writes); the budget is 50 ms,
    // but on a shared, overloaded CI host the OS can deschedule the renderer for longer, so a task
    // only fails the test above 100 ms. Every long task is printed.
    if (long.length > 0) console.log(`e2e: main-thread tasks over 50 ms while the guest ran: ${JSON.stringify(long)} (load ${readFileSync("/proc/loadavg", "utf8").trim()})`);
    expect(long.filter((l) => l.duration > 100)).toEqual([]);
    if (KERNEL) {
      expect(await page.$eval('#status [data-stat="processes"]', (e) => e.textContent)).toMatch(/^processes [2-9]/);
      await typeInto("console", "\x03");
      await waitFor("the prompt after ^C", async () => /\^C\s*\n[^\n]*#\s*$/.test(await consoleText()));
    }
  });

  it("pauses and resumes", async () => {
    await page.click("#pause");
    await waitFor("paused status", async () => (await page.$eval('#status [data-stat="state"]', (e) => e.textContent)) === "state paused");
    const c0 = await page.$eval('#status [data-stat="cycles"]', (e) => e.textContent);
    await page.waitForTimeout(1200);
    expect(await page.$eval('#status [data-stat="cycles"]', (e) => e.textContent)).toBe(c0);
    await page.click("#pause");
    await waitFor("running status", async () => (await page.$eval('#status [data-stat="state"]', (e) => e.textContent)) === "state running");
  });

  it.runIf(KERNEL)("runs a benchmark under two designs and draws the chart", async () => {
    await page.click('#tabs button[data-tab="bench"]');
    await page.fill("#bench-list", "/bench/fork_exit -n 20");
    for (const d of ["lazy", "sharedpt"]) await page.uncheck(`#bench-designs input[value="${d}"]`);
    await page.click("#bench-run");
    await waitFor("benchmark results", async () => (await page.evaluate(() => (window as unknown as { vmalab: { benchResults: unknown[] } }).vmalab.benchResults.length)) === 2, 120_000);
    const results = await page.evaluate(() => (window as unknown as { vmalab: { benchResults: { benchmark: string; design: string; cyclesPerOp: number }[] } }).vmalab.benchResults);
    expect(results.map((r) => r.design)).toEqual(["classic", "vma"]);
    for (const r of results) expect(r.benchmark).toMatch(/^fork_exit\b/);
    for (const r of results) expect(r.cyclesPerOp).toBeGreaterThan(1000);
    expect(await page.$$eval("#bench-chart rect.chart-bar", (b) => b.length)).toBe(2);
    expect(await page.$eval("#bench-label", (e) => e.textContent)).toBe("done");
    mkdirSync(OUT, { recursive: true });
    await page.screenshot({ path: `${OUT}/web-bench.png` });
    await page.click('#tabs button[data-tab="console"]');
  });

  it.runIf(KERNEL)("shows a kernel panic plainly, with a Reset button", async () => {
    const p2 = await site.newPage();
    try {
      await p2.goto(`${site.url}?cmdline=${encodeURIComponent("init=/no/such/init")}`);
      await p2.waitForSelector("#error:not([hidden])", { timeout: 60_000 });
      const text = await p2.$eval("#error-text", (e) => e.textContent ?? "");
      console.log(`e2e: error banner: ${JSON.stringify(text)}`);
      expect(text).toMatch(/^The guest kernel panicked:\nKernel panic: .*init/s);
      expect(await p2.isVisible("#error-reset")).toBe(true);
    } finally {
      await p2.close();
    }
  });

  it("reboots with another mm design", async () => {
    const boots = await page.evaluate(() => vmalab.boots);
    await page.selectOption("#design", "lazy");
    await waitFor("the reboot", async () => (await page.evaluate(() => vmalab.boots)) === boots + 1);
    expect(await page.evaluate(() => vmalab.booted)).toEqual({ guest: GUEST, design: "lazy", cmdline: "mm=lazy" });
    await waitFor("the prompt after reboot", async () => (await consoleText()).includes(PROMPT.trimEnd()));
    expect(await consoleText()).not.toContain("hello web");
    mkdirSync(OUT, { recursive: true });
    await page.screenshot({ path: `${OUT}/web.png` });
    expect(await page.evaluate(() => vmalab.errors)).toEqual([]);
    expect(pageErrors).toEqual([]);
  });
});
