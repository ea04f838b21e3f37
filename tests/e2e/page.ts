// One page of the built site in Debian's Chromium, for an e2e test file:
// builds the site (vite build), serves dist/web under a subpath from a plain
// static server, opens a fresh browser profile and the page, records page
// errors and the main thread's long tasks (over 50 ms) from the start.

import { execFileSync } from "node:child_process";
import { fileURLToPath } from "node:url";
import type { Page } from "playwright-core";
import { launchChromium } from "./browser.ts";
import { serveStatic } from "./static-server.ts";

export const REPO = fileURLToPath(new URL("../../", import.meta.url));

export interface OpenPage {
  page: Page;
  /** The site's address (the served subpath). */
  url: string;
  /** Another page in the same browser (profile and storage shared). */
  newPage(): Promise<Page>;
  /** Uncaught errors in the page so far. */
  pageErrors: string[];
  /** Main-thread tasks over 50 ms that started at or after t (performance.now() of the page). */
  longTasksSince(t: number): Promise<{ start: number; duration: number }[]>;
  close(): Promise<void>;
}

/** Opens `${subpath}?${query}` of a freshly built site. */
export async function openSite(subpath: string, query: string): Promise<OpenPage> {
  execFileSync("npx", ["vite", "build", "--logLevel", "warn"], { cwd: REPO, stdio: "inherit" });
  const server = await serveStatic(`${REPO}dist/web`, subpath);
  const browser = await launchChromium();
  const page = await browser.context.newPage();
  const pageErrors: string[] = [];
  page.on("pageerror", (e) => pageErrors.push(String(e)));
  await page.addInitScript(() => {
    const w = window as unknown as { longTasks: { start: number; duration: number }[] };
    w.longTasks = [];
    new PerformanceObserver((list) => {
      for (const e of list.getEntries()) w.longTasks.push({ start: e.startTime, duration: e.duration });
    }).observe({ type: "longtask", buffered: true });
  });
  await page.goto(`${server.url}?${query}`);
  return {
    page,
    url: server.url,
    newPage: () => browser.context.newPage(),
    pageErrors,
    longTasksSince: (t) =>
      page.evaluate((a) => (window as unknown as { longTasks: { start: number; duration: number }[] }).longTasks.filter((l) => l.start >= a), t),
    close: async () => {
      await browser.close();
      await server.close();
    },
  };
}
