// End-to-end test of the Memory tab (web/components/memory-views.ts) in
// Debian's Chromium: each picture is opened while the kernel guest runs, and
// what it draws (its model, window.vmalab.memory) is compared with the
// monitor tab's text for the same pid, address or frame: the areas with
// `vmas PID`, page PTEs with `walk PID VADDR`, frame owners with `frame PFN`,
// the fault timeline with the live `pf trace`, the page-directory grid with
// the walk's PDE. Also: no main-thread task over 50 ms while pictures update
// under a busy guest, and a 390x844 phone viewport that types a command and
// sees its output. Screenshots go to test-output/memory-*.png.
// Needs the kernel guest (system/system.ts) and /usr/bin/chromium.

import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { existsSync, mkdirSync, readFileSync } from "node:fs";
import type { Page } from "playwright-core";
import { missingBrowser } from "./browser.ts";
import { openSite, REPO, type OpenPage } from "./page.ts";
import { DECISION_TEXT } from "../../monitor/kernel-view.ts";

const OUT = `${REPO}test-output`;
const missing = missingBrowser();
if (missing && process.env.CI === "true") throw new Error(`e2e: ${missing} (required when CI=true)`);
const KERNEL = existsSync(`${REPO}system/system.ts`) && process.env.VMALAB_E2E_GUEST !== "fixture";

interface MemoryModel {
  view: string;
  pid: number;
  drawn: number;
  cycle: number;
  maxDrawMs: number;
  drawTimes(): number[];
  pageAt(va: number): { state: string; pte: number } | null;
  pagePoint(va: number): { x: number; y: number } | null;
  frameOwner(pfn: number): string | null;
  framePoint(pfn: number): { x: number; y: number };
  areas(): { start: number; end: number; perms: string; name: string }[];
  ptPoint(table: "pd" | "pt", index: number): { x: number; y: number };
  faults(): { seq: number; pid: number; address: number; decision: string }[];
  faultPoint(seq: number): { x: number; y: number } | null;
  details(): string;
}
declare const vmalab: { consoleText(): string; monitorText(): string; memory: MemoryModel; errors: string[] };

const hex8 = (n: number): string => (n >>> 0).toString(16).padStart(8, "0");
/** The monitor's trace words back to the kernel's decision names. */
const DECISION_BY_TEXT = new Map(Object.entries(DECISION_TEXT).map(([k, v]) => [v, k]));

describe.skipIf(missing !== null || !KERNEL)("memory pictures in Chromium", () => {
  let site: OpenPage;
  let page: Page;
  let pageErrors: string[] = [];
  let shPid = 0;

  const consoleText = () => page.evaluate(() => vmalab.consoleText());
  const model = <T>(fn: (m: MemoryModel, arg: unknown) => T, arg?: unknown) =>
    page.evaluate(([src, a]) => new Function("m", "a", `return (${src})(m, a)`)(vmalab.memory, a) as T, [fn.toString(), arg] as const);
  const waitFor = async (what: string, pred: () => Promise<boolean>, ms = 60_000, p = page) => {
    const end = Date.now() + ms;
    while (!(await pred())) {
      if (Date.now() > end) throw new Error(`timed out waiting for ${what}; errors: ${pageErrors.join("\n")}`);
      await p.waitForTimeout(100);
    }
  };
  const tab = (name: string) => page.click(`#tabs button[data-tab="${name}"]`);
  const typeInto = async (t: string, text: string) => {
    await page.click(`#${t} .xterm-screen`);
    await page.keyboard.type(text);
  };
  /** Runs a command in the monitor tab; returns its output (the text between its line and the next prompt). */
  const monitor = async (cmd: string): Promise<string> => {
    await tab("monitor");
    const before = (await page.evaluate(() => vmalab.monitorText())).length;
    await typeInto("monitor", cmd + "\r");
    let out = "";
    await waitFor(`monitor: ${cmd}`, async () => {
      const text = (await page.evaluate(() => vmalab.monitorText())).slice(Math.max(0, before - 200));
      const at = text.lastIndexOf(`(vmalab) ${cmd}\n`);
      if (at < 0) return false;
      const rest = text.slice(at + cmd.length + 10);
      const end = rest.indexOf("(vmalab) ");
      if (end < 0) return false;
      out = rest.slice(0, end).replace(/\n$/, "");
      return true;
    });
    return out;
  };
  const memoryTab = async (view: string, pid?: number) => {
    await tab("memory");
    await page.click(`#memory-views .mem-views button[data-view="${view}"]`);
    if (pid !== undefined) await page.selectOption("#memory-views .mem-pid", String(pid)).catch(() => undefined);
    const drawn = await model((m) => m.drawn);
    await waitFor(`the ${view} picture`, async () => (await model((m) => m.drawn)) >= drawn + 2 && (await model((m) => m.view)) === view);
  };
  const shot = async (name: string, p = page) => {
    mkdirSync(OUT, { recursive: true });
    await p.screenshot({ path: `${OUT}/${name}.png` });
  };

  beforeAll(async () => {
    site = await openSite("/mem/", "guest=kernel");
    page = site.page;
    pageErrors = site.pageErrors;
    page.on("console", (m) => {
      if (m.text().startsWith("memory view")) console.log(`e2e: page: ${m.text()}`);
    });
    await waitFor("the prompt", async () => (await consoleText()).includes("# "));
    const ps = await monitor("ps");
    const sh = ps.split("\n").map((l) => /^\s*(\d+)\s+\d+\s+\d+\s+\S\s+\d+\s+\d+\s+(\S+)/.exec(l)).filter((m) => m && /sh$/.test(m[2]));
    expect(sh.length).toBeGreaterThan(0);
    shPid = Number(sh[sh.length - 1]![1]);
  });

  afterAll(async () => {
    await site?.close();
  });

  it("draws the shell's address space as the monitor's vmas and walk give it, hover shows the walk, click pins it", async () => {
    await memoryTab("as", shPid);
    expect(await model((m) => m.pid)).toBe(shPid);
    // the areas: vmas PID's lines
    const vmas = (await monitor(`vmas ${shPid}`)).split("\n").filter((l) => /^[0-9a-f]{8}-/.test(l));
    await tab("memory");
    const areas = await model((m) => m.areas());
    expect(areas.map((a) => `${hex8(a.start)}-${hex8(a.end)} ${a.perms}`)).toEqual(vmas.map((l) => l.slice(0, 22)));
    // pages: first, middle and last page of every area against walk PID VADDR
    const vas: number[] = [];
    for (const a of areas) {
      const pages = (a.end - a.start) / 4096;
      for (const p of new Set([0, Math.floor(pages / 2), pages - 1])) vas.push(a.start + p * 4096);
    }
    let present = 0;
    for (const va of vas.slice(0, 24)) {
      const walk = await monitor(`walk ${shPid} 0x${va.toString(16)}`);
      const pte = /^PTE\[\d+\] @ [0-9a-f]{8} = ([0-9a-f]{8})/m.exec(walk);
      const drawn = await model((m, a) => m.pageAt(a as number), va);
      expect(drawn, `page ${hex8(va)}`).not.toBeNull();
      expect(hex8(drawn!.pte), `PTE of ${hex8(va)}:\n${walk}`).toBe(pte ? pte[1] : "00000000");
      const p = pte ? parseInt(pte[1], 16) & 1 : 0;
      if (p) present++;
      expect(drawn!.state === "not present" || drawn!.state === "swapped", `state of ${hex8(va)}: ${drawn!.state}`).toBe(!p);
      if (/flags [A-Z|]*CACHE/.test(walk)) expect(drawn!.state).toBe("file-backed");
      if (/count \d+ mapcount [2-9]\d* .*flags [A-Z|]*ANON/.test(walk)) expect(drawn!.state).toBe("COW-shared");
    }
    expect(present).toBeGreaterThan(2);
    // hover a present page: the details are the monitor's walk text
    await tab("memory");
    const text = areas[0].start;
    const pt = await model((m, a) => m.pagePoint(a as number), text);
    await page.mouse.move(pt!.x, pt!.y);
    const walk0 = await monitor(`walk ${shPid} 0x${text.toString(16)}`);
    await tab("memory");
    await page.mouse.move(pt!.x, pt!.y + 1);
    await waitFor("the hover walk", async () => (await model((m) => m.details())).includes(walk0.split("\n")[2]));
    await page.mouse.click(pt!.x, pt!.y);
    await page.mouse.move(5, 5);
    await page.waitForTimeout(400);
    expect(await model((m) => m.details())).toContain(walk0.split("\n")[2]);
    await shot("memory-as");
    // live: a program run in the console moves the guest on; the picture keeps coming
    const before = await model((m) => ({ drawn: m.drawn, cycle: m.cycle }));
    await tab("console");
    await typeInto("console", "ls /bin > /dev/null\r");
    await tab("memory");
    await waitFor("live snapshots", async () => {
      const now = await model((m) => ({ drawn: m.drawn, cycle: m.cycle }));
      return now.drawn > before.drawn + 3 && now.cycle > before.cycle;
    });
    await page.mouse.click(pt!.x, pt!.y); // unpin
  });

  it("colours frames by owner as the monitor's frame says, click shows the reverse map", async () => {
    // one anonymous and one file frame of the shell, from walk
    const areas = await model((m) => m.areas());
    const frames: { pfn: number; flags: string }[] = [];
    for (const a of areas) {
      for (let va = a.start; va < a.end && frames.length < 12; va += 4096 * Math.max(1, Math.floor((a.end - a.start) / 4096 / 3))) {
        const walk = await monitor(`walk ${shPid} 0x${va.toString(16)}`);
        const m = /^pfn (0x[0-9a-f]+) .* flags (\S+)/m.exec(walk);
        if (m) frames.push({ pfn: parseInt(m[1], 16), flags: m[2] });
      }
    }
    expect(frames.some((f) => f.flags.includes("ANON"))).toBe(true);
    expect(frames.some((f) => f.flags.includes("CACHE"))).toBe(true);
    await memoryTab("phys");
    for (const f of frames) {
      const owner = await model((m, a) => m.frameOwner(a as number), f.pfn);
      const text = await monitor(`frame 0x${f.pfn.toString(16)}`);
      const flags = /flags (\S+)/.exec(text)![1];
      const expected = flags.includes("PAGETABLE") || flags.includes("PGD") ? "page table" : flags.includes("ANON") ? "anon" : flags.includes("CACHE") ? "file / page cache" : flags.includes("STORE") ? "tmpfs/ramfs data" : "kernel";
      expect(owner, `frame ${f.pfn}: ${text}`).toBe(expected);
    }
    await tab("memory");
    const anon = frames.find((f) => f.flags.includes("ANON"))!;
    const pt = await model((m, a) => m.framePoint(a as number), anon.pfn);
    await page.mouse.click(pt.x, pt.y);
    await waitFor("the reverse map", async () => new RegExp(`mapped by \\d+ PTEs? .*\\n\\s+pid [^\\n]*\\b${shPid} \\(`, "s").test(await model((m) => m.details())));
    const frameText = await monitor(`frame 0x${anon.pfn.toString(16)}`);
    await tab("memory");
    expect((await model((m) => m.details())).split("\n")[0]).toBe(frameText.split("\n")[0]);
    await shot("memory-phys");
    await page.mouse.click(pt.x, pt.y);
  });

  it("shows page faults as they happen, the same ones the monitor's pf trace prints", async () => {
    await memoryTab("faults", shPid);
    expect(await monitor("pf trace on")).toContain("fault trace on");
    await tab("console");
    await typeInto("console", "cat /etc/passwd | wc -l\r");
    await waitFor("the pipeline's output", async () => /wc -l\n\s*\d+\n/.test(await consoleText()));
    expect(await monitor("pf trace off")).toContain("fault trace off");
    const monitorText = await page.evaluate(() => vmalab.monitorText());
    const traced = [...monitorText.matchAll(/^pf pid (\d+) \(\S+\) (?:eip [0-9a-f]{8}|uaccess) cr2 ([0-9a-f]{8}) \[[^\]]*\] vma .*?: (.+?) pfn /gm)]
      .map((m) => `${m[1]} ${m[2]} ${DECISION_BY_TEXT.get(m[3])}`);
    expect(traced.length).toBeGreaterThan(5);
    await memoryTab("faults");
    const drawn = new Set((await model((m) => m.faults())).map((f) => `${f.pid} ${hex8(f.address)} ${f.decision}`));
    const missingFaults = traced.filter((t) => !drawn.has(t));
    expect(missingFaults).toEqual([]);
    const details = await model((m) => m.details());
    expect(details).toMatch(/^newest faults:\npid \d+ /);
    await shot("memory-faults");
  });

  it("goes back to a fault clicked in the timeline, stopped just before it", async () => {
    await memoryTab("faults");
    await page.check("#memory-views .mem-record");
    await waitFor("recording", async () => /^recording from cycle \d+$/.test(await model((m) => m.details())));
    await tab("console");
    await typeInto("console", "ls /bin | wc -l\r");
    await waitFor("the output", async () => /ls \/bin \| wc -l\n\s*\d+\n/.test(await consoleText()));
    await memoryTab("faults");
    await page.click("#pause"); // hold the timeline still while a tick is clicked
    await page.waitForTimeout(300);
    const recent = (await model((m) => m.faults())).filter((f) => f.decision !== "spurious").slice(-5);
    let pinned = -1;
    for (const f of recent.reverse()) {
      const p = await model((m, a) => m.faultPoint(a as number), f.seq);
      if (!p) continue;
      await page.mouse.click(p.x, p.y);
      const m = /fault #(\d+)$/.exec(await model((mm) => mm.details()));
      if (m) {
        pinned = Number(m[1]);
        break;
      }
    }
    expect(pinned).toBeGreaterThan(0);
    const fault = (await model((m) => m.faults())).find((f) => f.seq === pinned)!;
    await page.click("#memory-views .mem-goto");
    await waitFor("the goto", async () => /\ncycle \d+, instruction \d+: /.test(await model((m) => m.details())));
    const text = await model((m) => m.details());
    expect(text).toMatch(new RegExp(`^pf pid ${fault.pid} \\(\\S+\\) (eip [0-9a-f]{8}|uaccess) cr2 ${hex8(fault.address)} `));
    // where it landed (the monitor's own line): just before the fault's instruction
    const eip = /^pf pid \d+ \(\S+\) eip ([0-9a-f]{8})/.exec(text)?.[1];
    if (eip) expect(text.split("\n")[1]).toMatch(new RegExp(`^cycle \\d+, instruction \\d+: 0x${eip.replace(/^0+/, "")}: `));
    await page.waitForFunction(() => document.getElementById("status")!.textContent!.includes("state paused"));
    await tab("memory");
    await page.uncheck("#memory-views .mem-record");
    await page.click("#pause");
    await page.waitForFunction(() => document.getElementById("status")!.textContent!.includes("state running"));
  });

  it("draws the page directory and a page table as the walk reads them", async () => {
    const va = parseInt((await monitor(`vmas ${shPid}`)).slice(0, 8), 16);
    const walk = await monitor(`walk ${shPid} 0x${va.toString(16)}`);
    const pde = /^PDE\[(\d+)\] @ [0-9a-f]{8} = ([0-9a-f]{8})/m.exec(walk)!;
    const pte = /^PTE\[(\d+)\] @ [0-9a-f]{8} = ([0-9a-f]{8})/m.exec(walk)!;
    await memoryTab("pt", shPid);
    const pd = await model((m, a) => m.ptPoint("pd", a as number), Number(pde[1]));
    await page.mouse.click(pd.x, pd.y);
    await waitFor("the page table", async () => (await model((m) => m.details())) === `PDE[${pde[1]}] = ${pde[2]}`);
    await page.waitForTimeout(300);
    const ptp = await model((m, a) => m.ptPoint("pt", a as number), Number(pte[1]));
    await page.mouse.move(ptp.x, ptp.y);
    await waitFor("the PTE details", async () => (await model((m) => m.details())).startsWith(`PTE[${pte[1]}] = ${pte[2]}`));
    await shot("memory-pt");
  });

  it("keeps every main-thread task under 50 ms while the pictures update under a busy guest", async () => {
    await tab("console");
    await typeInto("console", "/bench/fork_exit -n 1000000\r");
    await page.waitForTimeout(300);
    // the same window with no picture open, for comparison (printed, not checked)
    const b0 = await page.evaluate(() => performance.now());
    await page.waitForTimeout(3000);
    const baseline = await page.evaluate(
      (a) => (window as unknown as { longTasks: { start: number; duration: number }[] }).longTasks.filter((l) => l.start >= a),
      b0,
    );
    console.log(`e2e: long tasks with the console tab only: ${JSON.stringify(baseline)}`);
    const long: { view: string; start: number; duration: number }[] = [];
    const draws: number[] = [];
    for (const v of ["as", "phys", "faults", "pt"]) {
      // measured from the second snapshot on: the views' steady updates, not the tab switch
      await memoryTab(v, v === "as" || v === "pt" ? 1 : undefined);
      const t0 = await page.evaluate(() => performance.now());
      const d0 = await model((m) => m.drawn);
      await page.waitForTimeout(1500);
      const d1 = await model((m) => m.drawn);
      const t1 = await page.evaluate(() => performance.now());
      console.log(`e2e: ${v}: ${d1 - d0} snapshots drawn in 1.5 s`);
      expect(d1 - d0).toBeGreaterThan(3);
      expect(d1 - d0).toBeLessThanOrEqual(17); // at most 10 a second
      draws.push(...(await model((m) => m.drawTimes())).slice(-(d1 - d0)));
      const tasks = await page.evaluate(
        ([a, b]) => (window as unknown as { longTasks: { start: number; duration: number }[] }).longTasks.filter((l) => l.start >= a && l.start <= b),
        [t0, t1],
      );
      long.push(...tasks.map((t) => ({ view: v, ...t })));
    }
    draws.sort((a, b) => a - b);
    const load = Number(readFileSync("/proc/loadavg", "utf8").split(" ")[0]);
    const cpus = (await import("node:os")).availableParallelism();
    console.log(`e2e: draw ms median ${draws[draws.length >> 1]?.toFixed(1)}, max ${draws[draws.length - 1]?.toFixed(1)}; ` +
      `long tasks ${JSON.stringify(long)} (load ${load} on ${cpus} CPUs)`);
    // Our own work per snapshot is a few ms; the budget for any task is 50 ms. On a host loaded beyond
    // its CPUs (other jobs, the guest's worker) the OS deschedules the renderer for longer than that,
    // so there the check falls back to 150 ms (everything is printed above).
    expect(draws[draws.length >> 1]).toBeLessThan(16);
    const budget = load <= cpus ? 50 : 150;
    expect(long.filter((l) => l.duration > budget)).toEqual([]);
    await tab("console");
    await typeInto("console", "\x03");
    await waitFor("the prompt after ^C", async () => /\^C\s*\n[^\n]*#\s*$/.test(await consoleText()));
    expect(pageErrors).toEqual([]);
    expect(await page.evaluate(() => vmalab.errors)).toEqual([]);
  });

  it("works on a 390x844 phone screen: a typed command shows its output, the pictures fit", async () => {
    const p = await site.newPage();
    try {
      await p.setViewportSize({ width: 390, height: 844 });
      await p.goto(`${site.url}?guest=kernel`);
      const text = () => p.evaluate(() => vmalab.consoleText());
      await waitFor("the prompt on the phone", async () => (await text()).includes("# "), 60_000, p);
      expect(await p.isVisible("#kbd-input")).toBe(true);
      await p.fill("#kbd-input", "echo phone ok");
      await p.press("#kbd-input", "Enter");
      await waitFor("the phone's command output", async () => /echo phone ok\nphone ok\n/.test(await text()), 30_000, p);
      // xterm's own input works too
      await p.click("#console .xterm-screen");
      await p.keyboard.type("echo xterm ok\r");
      await waitFor("the xterm command output", async () => /echo xterm ok\nxterm ok\n/.test(await text()), 30_000, p);
      expect(await p.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(390);
      await shot("memory-phone-console", p);
      await p.click('#tabs button[data-tab="memory"]');
      await waitFor("the picture on the phone", async () => (await p.evaluate(() => vmalab.memory.drawn)) > 1, 30_000, p);
      const box = await p.$eval("#memory-views canvas", (c) => c.getBoundingClientRect().right);
      expect(box).toBeLessThanOrEqual(390);
      expect(await p.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(390);
      await shot("memory-phone", p);
    } finally {
      await p.close();
    }
  });
});
