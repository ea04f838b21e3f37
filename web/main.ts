// The page: wires the terminals, panels and controls to the machine worker.
// Everything that runs the guest lives in the worker (worker.ts); this side
// only renders messages and forwards input, so the page stays responsive.
//
// URL parameters: ?guest=fixture boots the echo fixture kernel instead of the
// real kernel; ?mm=<design> picks the initial memory-manager design;
// ?cmdline=... appends kernel command-line words.

import initramfsUrl from "../userland/build/initramfs.cpio?url";
import { MM_DESIGNS, type BootRequest, type FromWorker, type MmDesign, type ToWorker } from "./protocol.ts";
import { openTerminal } from "./components/terminal.ts";
import { MonitorTab } from "./components/monitor-tab.ts";
import { renderStatus } from "./components/status-bar.ts";
import { VgaPanel } from "./components/vga-panel.ts";
import { renderBenchChart, type BenchResult } from "./components/bench-chart.ts";
import { GuestFileClient } from "./guest-file-client.ts";
import { setupFileBar, type TransferRecord } from "./components/file-bar.ts";
import { MemoryViews } from "./components/memory-views.ts";
import { setupMobileInput } from "./components/mobile-input.ts";

/** The guest booted when the URL does not say. */
const DEFAULT_GUEST: BootRequest["guest"] = "kernel";

const $ = <T extends HTMLElement>(id: string) => document.getElementById(id) as T;
const params = new URLSearchParams(location.search);
const guestKind: BootRequest["guest"] = params.get("guest") === "fixture" ? "fixture" : params.get("guest") === "kernel" ? "kernel" : DEFAULT_GUEST;
const extraCmdline = params.get("cmdline") ?? "";
const designSelect = $<HTMLSelectElement>("design");
const urlDesign = params.get("mm");
if (urlDesign && (MM_DESIGNS as readonly string[]).includes(urlDesign)) designSelect.value = urlDesign;

const worker = new Worker(new URL("./worker.ts", import.meta.url), { type: "module", name: "vmalab-machine" });
const send = (msg: ToWorker, transfer: Transferable[] = []) => worker.postMessage(msg, transfer);

const consoleTerm = openTerminal($("console"));
const monitorTerm = openTerminal($("monitor"));
const vga = new VgaPanel($("vga"));
const encoder = new TextEncoder();
let monitorId = 0;
const monitor = new MonitorTab(monitorTerm, (line) => send({ type: "monitor", id: ++monitorId, line }));
const memoryViews = new MemoryViews($("memory-views"), (msg) => send(msg));

// ---- state the tests read (window.vmalab) ----
const hook = {
  frames: 0,
  boots: 0,
  booted: null as null | { guest: string; design: string; cmdline: string },
  errors: [] as string[],
  benchResults: [] as BenchResult[],
  transfers: [] as TransferRecord[],
  consoleText: () => consoleTerm.text(),
  monitorText: () => monitorTerm.text(),
  vgaText: () => vga.text,
  memory: memoryViews.model(),
};
(window as unknown as { vmalab: typeof hook }).vmalab = hook;
const tick = () => {
  hook.frames++;
  requestAnimationFrame(tick);
};
requestAnimationFrame(tick);

// ---- booting and controls ----
let paused = false;
function boot(): void {
  hideError();
  consoleTerm.term.reset();
  paused = false;
  $("pause").textContent = "Pause";
  send({
    type: "boot",
    guest: guestKind,
    design: designSelect.value as MmDesign,
    cmdline: extraCmdline,
    initramfsUrl: new URL(initramfsUrl, document.baseURI).href,
    rows: consoleTerm.term.rows,
    cols: consoleTerm.term.cols,
  });
}

designSelect.addEventListener("change", boot);
$("reset").addEventListener("click", boot);
$("error-reset").addEventListener("click", boot);
$("error-dismiss").addEventListener("click", hideError);
$("pause").addEventListener("click", () => {
  paused = !paused;
  send({ type: paused ? "pause" : "resume" });
  $("pause").textContent = paused ? "Resume" : "Pause";
});
consoleTerm.term.onData((data) => {
  const bytes = encoder.encode(data);
  send({ type: "input", bytes }, [bytes.buffer]);
});
setupMobileInput($("kbd"), $("kbd-input"), $("kbd-ctrlc"), (text) => {
  const bytes = encoder.encode(text);
  send({ type: "input", bytes }, [bytes.buffer]);
});
consoleTerm.term.onResize(({ rows, cols }) => send({ type: "resize", rows, cols }));

// ---- files between this computer and the guest ----
const files = new GuestFileClient(send);
setupFileBar(
  {
    uploadButton: $("upload"),
    fileInput: $("upload-input"),
    dirInput: $("upload-dir"),
    downloadButton: $("download"),
    dialog: $("download-dialog"),
    pathInput: $("download-path"),
    progress: $("transfer-progress"),
    status: $("transfer-status"),
    dropZone: $("tab-console"),
  },
  files,
  (r) => hook.transfers.push(r),
);

// ---- tabs ----
let activeTab = "console";
for (const b of Array.from(document.querySelectorAll<HTMLButtonElement>("#tabs button"))) {
  b.addEventListener("click", () => showTab(b.dataset.tab!));
}
function showTab(name: string): void {
  activeTab = name;
  memoryViews.setOpen(name === "memory");
  for (const b of Array.from(document.querySelectorAll<HTMLButtonElement>("#tabs button"))) b.classList.toggle("active", b.dataset.tab === name);
  for (const s of Array.from(document.querySelectorAll<HTMLElement>(".tab"))) s.classList.toggle("active", s.id === `tab-${name}`);
  if (name === "console") {
    consoleTerm.fit();
    consoleTerm.term.focus();
  } else if (name === "monitor") {
    monitorTerm.fit();
    monitorTerm.term.focus();
  } else if (name === "vga") send({ type: "vga" });
}
setInterval(() => {
  if (activeTab === "vga") send({ type: "vga" });
}, 200);

// ---- benchmarks ----
$("bench-run").addEventListener("click", () => {
  const benchmarks = $<HTMLInputElement>("bench-list")
    .value.split(";")
    .map((s) => s.trim())
    .filter(Boolean);
  const designs = Array.from(document.querySelectorAll<HTMLInputElement>("#bench-designs input:checked")).map((i) => i.value as MmDesign);
  $<HTMLButtonElement>("bench-run").disabled = true;
  $("bench-chart").replaceChildren();
  send({ type: "bench", benchmarks, designs });
});
/** Shows results in the chart (also the entry point for results computed elsewhere). */
function showBenchResults(results: BenchResult[]): void {
  hook.benchResults = results;
  $("bench-chart").replaceChildren(renderBenchChart(results));
}

// ---- errors ----
function showError(text: string): void {
  hook.errors.push(text);
  $("error-text").textContent = text;
  $("error").hidden = false;
}
function hideError(): void {
  $("error").hidden = true;
}
worker.addEventListener("error", (ev) => showError(`The machine worker failed: ${ev.message || "unknown error"}. Press Reset to start again.`));

// ---- messages from the worker ----
worker.addEventListener("message", (ev: MessageEvent<FromWorker>) => {
  const msg = ev.data;
  switch (msg.type) {
    case "console":
      consoleTerm.term.write(msg.bytes);
      break;
    case "booted":
      hook.boots++;
      hook.booted = { guest: msg.guest, design: msg.design, cmdline: msg.cmdline };
      memoryViews.rebooted();
      break;
    case "status":
      renderStatus($("status"), msg.status);
      paused = !msg.status.running;
      $("pause").textContent = paused ? "Resume" : "Pause";
      break;
    case "monitor-result":
      monitor.result(msg.text);
      break;
    case "monitor-async":
      monitor.async(msg.text);
      break;
    case "vga":
      vga.draw(msg.frame);
      break;
    case "bench-progress": {
      const p = $<HTMLProgressElement>("bench-progress");
      p.max = Math.max(1, msg.total);
      p.value = msg.done;
      $("bench-label").textContent = msg.label;
      if (msg.label === "failed") $<HTMLButtonElement>("bench-run").disabled = false;
      break;
    }
    case "mem-snapshot":
      memoryViews.onSnapshot(msg.snap);
      break;
    case "mem-reply":
      memoryViews.onReply(msg);
      break;
    case "file-reply":
      files.onReply(msg);
      break;
    case "bench-result":
      $<HTMLButtonElement>("bench-run").disabled = false;
      showBenchResults(msg.results);
      break;
    case "error": {
      const title = { exception: "The emulator failed (a bug)", panic: "The guest kernel panicked", boot: "The guest could not boot", halted: "The guest stopped" }[msg.kind];
      showError(`${title}:\n${msg.message}`);
      break;
    }
  }
});

boot();
consoleTerm.term.focus();
