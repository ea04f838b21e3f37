// The status bar: one line of guest figures, refreshed from worker status messages.

import type { Status } from "../protocol.ts";

function formatBytes(n: number): string {
  return n >= 1 << 20 ? `${(n / (1 << 20)).toFixed(1)} MiB` : `${Math.round(n / 1024)} KiB`;
}

/** Renders s into root (replacing its content). */
export function renderStatus(root: HTMLElement, s: Status): void {
  const faults = Object.entries(s.faultsPerSecond)
    .map(([k, v]) => `${k} ${v}/s`)
    .join(", ");
  const items: [string, string][] = [
    ["state", s.running ? "running" : "paused"],
    ["guest", s.guest === "kernel" ? `kernel mm=${s.design}` : "echo fixture"],
    ["MIPS", s.mips.toFixed(1)],
    ["JIT", s.regions === null ? "off" : `${s.regions} regions${s.compiledShare === null ? "" : `, ${Math.round(s.compiledShare * 100)}% run compiled`}`],
    ["guest time", `${s.guestSeconds.toFixed(2)} s`],
    ["cycles", s.cycles.toLocaleString("en-US")],
    ["faults", faults || "none"],
    ["free", s.freeBytes === null ? "-" : formatBytes(s.freeBytes)],
    ["processes", s.processes === null ? "-" : String(s.processes)],
  ];
  root.replaceChildren(
    ...items.map(([k, v]) => {
      const span = document.createElement("span");
      span.className = "stat";
      span.dataset.stat = k;
      const key = document.createElement("b");
      key.textContent = `${k} `;
      span.append(key, v);
      return span;
    }),
  );
}
