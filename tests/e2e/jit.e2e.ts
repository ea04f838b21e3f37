// The page as it opens: the worker runs guest code through the block compiler (regions
// built with `new Function` inside the Web Worker), the status bar counts its regions and
// shows the share of instructions they run, and a CPU-bound guest program prints what it
// prints without the compiler (`?jit=0`).
// Skips without /usr/bin/chromium, fails instead when CI=true.

import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Page } from "playwright-core";
import { missingBrowser } from "./browser.ts";
import { openSite, type OpenPage } from "./page.ts";

const missing = missingBrowser();
if (missing && process.env.CI === "true") throw new Error(`e2e: ${missing} (required when CI=true)`);
if (missing) console.log(`skipping the block compiler e2e test: ${missing}`);

interface Hook {
  booted: null | { guest: string; design: string; cmdline: string };
  consoleText(): string;
}
declare const vmalab: Hook;

/** bench/whole-program.ts's sha256sum workload: 146 million guest instructions, mostly in one loop. */
const COMMAND = "head -c 1048576 /dev/zero | sha256sum";
const ZEROS_SHA256 = "30e14955ebf1352266dc2ff8067e68104607e750abb9d3b36582b8af909fcb58";

describe.skipIf(missing !== null)("the block compiler in the browser", () => {
  let site: OpenPage;
  let page: Page;

  const consoleText = () => page.evaluate(() => vmalab.consoleText());
  const stat = (name: string) => page.textContent(`#status [data-stat="${name}"]`);
  const waitFor = async (what: string, pred: () => Promise<boolean>, ms = 120_000) => {
    const end = Date.now() + ms;
    while (!(await pred())) {
      if (Date.now() > end) throw new Error(`timed out waiting for ${what}; console:\n${JSON.stringify(await consoleText())}\nerrors: ${site.pageErrors.join("\n")}`);
      await page.waitForTimeout(100);
    }
  };

  beforeAll(async () => {
    site = await openSite("/", "guest=kernel");
    page = site.page;
  }, 120_000);

  afterAll(async () => {
    await site?.close();
  });

  /** The share in percent the status bar's JIT item shows (none when it shows none). */
  const shownShare = async (): Promise<number | undefined> => {
    const m = /, (\d+)% run compiled$/.exec((await stat("JIT")) ?? "");
    return m ? Number(m[1]) : undefined;
  };

  /**
   * Boots the page (already at its URL), runs COMMAND, expects the hash; returns the
   * command's wall ms and the highest share run compiled the status bar showed meanwhile.
   */
  const runCommand = async (): Promise<{ ms: number; share: number }> => {
    await waitFor("the prompt", async () => (await consoleText()).includes("# "));
    expect(await page.evaluate(() => vmalab.booted)).toEqual({ guest: "kernel", design: "vma", cmdline: "mm=vma" });
    await page.click("#console .xterm-screen");
    const t0 = Date.now();
    await page.keyboard.type(`${COMMAND}\r`);
    let share = 0;
    await waitFor("the hash", async () => {
      share = Math.max(share, (await shownShare()) ?? 0);
      return (await consoleText()).includes(`${ZEROS_SHA256}  -`);
    });
    return { ms: Date.now() - t0, share };
  };

  it("boots, compiles hot code and runs sha256sum to the right hash", async () => {
    const jit = await runCommand();
    await waitFor("the status bar's region count", async () => /^JIT [1-9]\d* regions(, \d+% run compiled)?$/.test((await stat("JIT")) ?? ""), 10_000);
    const regions = /\d+ regions/.exec((await stat("JIT"))!)![0];
    // sha256sum's loop runs compiled: in a 3-second command, most of some status interval
    expect(jit.share).toBeGreaterThan(50);
    // the same page without the compiler, for the figure
    await page.goto(`${site.url}?guest=kernel&jit=0`);
    const interp = await runCommand();
    expect(await stat("JIT")).toBe("JIT off");
    expect(interp.share).toBe(0);
    console.log(`sha256sum of 1 MiB in the page: ${jit.ms} ms with the block compiler (${regions}, up to ${jit.share}% of an interval's instructions run compiled), ${interp.ms} ms with ?jit=0`);
    expect(site.pageErrors).toEqual([]);
  });
});
