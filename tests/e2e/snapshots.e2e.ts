// End-to-end test of whole-machine snapshots in the web page (Chromium):
// "Save machine" stores the running guest in the browser, a reload starts
// from it (shell variables, the working directory and a tmpfs file are back),
// "Fresh boot" boots afresh, Download saves the snapshot file (whose
// checksum and deflate streams Node's zlib reads: the page's codec is
// compatible), "Open…" boots that file again, a corrupted file is refused
// with one line, a stored snapshot the build cannot use gives way to a fresh
// boot, and the monitor tab's savevm/loadvm and record/reverse-step work.
// Skips without /usr/bin/chromium, fails instead when CI=true.

import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { crc32, inflateRawSync } from "node:zlib";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Page } from "playwright-core";
import { missingBrowser } from "./browser.ts";
import { openSite, REPO, type OpenPage } from "./page.ts";

const missing = missingBrowser() ?? (existsSync(`${REPO}system/system.ts`) ? null : "no kernel guest (system/system.ts)");
if (missing && process.env.CI === "true") throw new Error(`e2e: ${missing} (required when CI=true)`);
if (missing) console.log(`skipping the web snapshot e2e tests: ${missing}`);

interface Hook {
  boots: number;
  booted: null | { guest: string; design: string; cmdline: string; snapshot?: string };
  snapshots: { name: string; cycles: number; cmdline: string; size: number }[];
  errors: string[];
  consoleText(): string;
  monitorText(): string;
  snapshotStatus(): string;
}
declare const vmalab: Hook;

describe.skipIf(missing !== null)("web snapshots in Chromium", () => {
  let site: OpenPage;
  let page: Page;
  let work: string;

  const consoleText = () => page.evaluate(() => vmalab.consoleText());
  const status = () => page.evaluate(() => vmalab.snapshotStatus());
  const waitFor = async (what: string, pred: () => Promise<boolean>, ms = 60_000) => {
    const end = Date.now() + ms;
    while (!(await pred())) {
      if (Date.now() > end) throw new Error(`timed out waiting for ${what}; console:\n${JSON.stringify(await consoleText())}\nsnapshot status: ${await status()}\nerrors: ${site.pageErrors.join("\n")}`);
      await page.waitForTimeout(100);
    }
  };
  let marker = 0;
  /** Types a shell command, waits for its end marker, returns the output after the typed line. */
  const shell = async (cmd: string) => {
    const n = ++marker;
    const typed = `${cmd}; echo end$((${n}+0))`;
    await page.click("#console .xterm-screen");
    await page.keyboard.type(`${typed}\r`);
    let out = "";
    await waitFor(`"${cmd}"`, async () => {
      const text = await consoleText();
      const i = text.lastIndexOf(typed);
      out = i < 0 ? "" : text.slice(i + typed.length);
      return out.includes(`\nend${n}`);
    });
    return out.slice(0, out.indexOf(`\nend${n}`)).trim();
  };
  /** Waits for boot number n (counted since the page loaded) to reach the prompt; returns what booted. */
  const booted = async (n: number) => {
    await waitFor(`boot ${n}`, async () => (await page.evaluate(() => vmalab.boots)) >= n);
    return (await page.evaluate(() => vmalab.booted))!;
  };
  const monitor = async (line: string, expectRe: RegExp) => {
    await page.click('#tabs button[data-tab="monitor"]');
    await page.click("#monitor .xterm-screen");
    await page.keyboard.type(`${line}\r`);
    await waitFor(line, async () => expectRe.test(await page.evaluate(() => vmalab.monitorText())));
    await page.click('#tabs button[data-tab="console"]');
  };

  beforeAll(async () => {
    work = mkdtempSync(join(tmpdir(), "vmalab-snap-e2e-"));
    site = await openSite("/snap/", "guest=kernel");
    page = site.page;
  });

  afterAll(async () => {
    await site?.close();
    if (work) rmSync(work, { recursive: true, force: true });
  });

  it("boots afresh when nothing is stored, and saves the machine", async () => {
    const b = await booted(1);
    expect(b.snapshot).toBeUndefined();
    await waitFor("the prompt", async () => (await consoleText()).includes("# "));
    expect(await shell("X=42; mkdir -p /tmp/d && cd /tmp/d && echo kept > f; sleep 1000 & echo started")).toBe("started");
    await page.fill("#snap-name", "first");
    await page.click("#snap-save");
    await waitFor("the save", async () => /^saved first in this browser: [\d.]+ MiB at guest cycle \d+/.test(await status()));
    console.log(`page: ${await status()}`);
    await waitFor("the list", async () => (await page.evaluate(() => vmalab.snapshots)).length === 1);
    const [s] = await page.evaluate(() => vmalab.snapshots);
    expect(s).toMatchObject({ name: "first", cmdline: "mm=vma" });
    expect(s.size).toBeGreaterThan(1_000_000);
    expect(s.size).toBeLessThan(10 * 1048576);
  });

  it("starts from the stored snapshot after a reload", async () => {
    await page.reload();
    const b = await booted(1);
    expect(b).toMatchObject({ snapshot: "first", design: "vma" });
    expect(await status()).toContain("started from first");
    expect(await consoleText()).toContain("[the machine as saved in first");
    expect(await shell("echo $X $(pwd) $(cat f); jobs | wc -l")).toBe("42 /tmp/d kept\n1");
  });

  it("boots afresh with Fresh boot, leaving the snapshot stored", async () => {
    await page.click("#snap-fresh");
    const b = await booted(2);
    expect(b.snapshot).toBeUndefined();
    await waitFor("the prompt", async () => (await consoleText()).includes("# "));
    expect(await shell('echo "[$X]" $(pwd)')).toBe("[] /root");
    expect((await page.evaluate(() => vmalab.snapshots)).map((s) => s.name)).toEqual(["first"]);
  });

  let file = "";
  it("downloads the snapshot as a file Node's zlib reads", async () => {
    const [dl] = await Promise.all([page.waitForEvent("download", { timeout: 60_000 }), page.click("#snap-download")]);
    expect(dl.suggestedFilename()).toBe("first.vmss");
    file = join(work, "first.vmss");
    await dl.saveAs(file);
    const bytes = readFileSync(file);
    expect(bytes.toString("latin1", 0, 4)).toBe("VMSS");
    const headLen = bytes.readUInt32LE(8);
    const header = JSON.parse(bytes.toString("utf8", 16, 16 + headLen));
    expect(header).toMatchObject({ format: 1, memorySize: 128 * 1048576, cmdline: "mm=vma", shares: 0 });
    const graph = bytes.subarray(16 + headLen);
    expect(crc32(graph)).toBe(bytes.readUInt32LE(12)); // the page's CRC-32 is Node's
    // graph.ts: "VMSG", version, packed length, blob count, the deflated graph, then each blob with its
    // length (blob.ts: page count, byte length, deflated pages); fflate wrote the streams, Node inflates them
    const packed = graph.readUInt32LE(8);
    expect(inflateRawSync(graph.subarray(16, 16 + packed)).length).toBeGreaterThan(packed);
    const lengths: number[] = [];
    for (let i = 0, p = 16 + packed; i < graph.readUInt32LE(12); i++) {
      const n = graph.readUInt32LE(p);
      const blob = graph.subarray(p + 4, p + 4 + n);
      inflateRawSync(blob.subarray(8));
      lengths.push(blob.readUInt32LE(4));
      p += 4 + n;
    }
    expect(lengths).toContain(128 * 1048576); // guest RAM
  });

  it("boots a snapshot file opened from this computer, and refuses a corrupted one in one line", async () => {
    await page.setInputFiles("#snap-file", file);
    const b = await booted(3);
    expect(b.snapshot).toBe("first");
    expect(await shell("echo $X $(pwd)")).toBe("42 /tmp/d");
    const bad = readFileSync(file);
    bad[bad.length - 100] ^= 0xff;
    writeFileSync(join(work, "bad.vmss"), bad);
    await page.setInputFiles("#snap-file", join(work, "bad.vmss"));
    await waitFor("the refusal", async () => (await status()).startsWith("error:"));
    expect(await status()).toBe("error: cannot use bad: snapshot is truncated or corrupted (checksum mismatch)");
    expect(await page.evaluate(() => vmalab.boots)).toBe(3);
    expect((await page.evaluate(() => vmalab.snapshots)).map((s) => s.name)).toEqual(["first"]);
  });

  it("runs savevm, loadvm, record and reverse-step in the monitor tab", async () => {
    expect(await shell("Y=1")).toBe("");
    await monitor("savevm mon", /saved mon in this browser: [\d.]+ MiB/);
    await waitFor("the list", async () => (await page.evaluate(() => vmalab.snapshots)).some((s) => s.name === "mon"));
    expect(await shell("Y=2; echo $Y")).toBe("2");
    await monitor("loadvm mon", /restored mon: guest cycle \d+/);
    console.log(`monitor tab: ${/restored mon: [^\n]*/.exec(await page.evaluate(() => vmalab.monitorText()))![0]}`);
    expect(await shell("echo $Y")).toBe("1");
    await monitor("record on", /recording from cycle \d+/);
    expect(await shell("echo rec")).toBe("rec");
    await monitor("reverse-step 3", /cycle \d+, instruction \d+: /);
    await monitor("record", /recording since cycle \d+: \d+ snapshots/);
    await monitor("record off", /recording off/);
    expect(await shell("echo after")).toBe("after");
  });

  it("boots afresh when the newest stored snapshot cannot be used", async () => {
    // a stored record this build cannot restore (as one from an older build of the page)
    await page.evaluate(
      () =>
        new Promise<void>((resolve, reject) => {
          const open = indexedDB.open("vmalab", 1);
          open.onsuccess = () => {
            const tx = open.result.transaction("snapshots", "readwrite");
            tx.objectStore("snapshots").put({ name: "stale", savedAt: Date.now() + 1e6, cycles: 1, cmdline: "mm=vma", size: 4, bytes: new Uint8Array([1, 2, 3, 4]) });
            tx.oncomplete = () => resolve();
            tx.onerror = () => reject(tx.error);
          };
          open.onerror = () => reject(open.error);
        }),
    );
    await page.reload();
    const b = await booted(1);
    expect(b.snapshot).toBeUndefined();
    expect(await status()).toBe("could not start from stale: not a vmalab snapshot; booted afresh");
    expect(await page.evaluate(() => vmalab.errors)).toEqual([]);
    expect(site.pageErrors).toEqual([]);
  });
});
