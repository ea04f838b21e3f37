// The page: wires the terminals, panels and controls to the machine worker.
// Everything that runs the guest lives in the worker (worker.ts); this side
// only renders messages and forwards input, so the page stays responsive.
//
// URL parameters: ?guest=fixture boots the echo fixture kernel instead of the
// real kernel; ?mm=<design> picks the initial memory-manager design;
// ?cmdline=... appends kernel command-line words; ?fresh boots afresh even
// when a snapshot is stored in the browser (otherwise the newest one starts).

import initramfsUrl from "../userland/build/initramfs.cpio?url";
import { DEFAULT_MM_DESIGN } from "../kernel/mm/design-names.ts";
import { MM_DESIGNS, type BootRequest, type FromWorker, type MmDesign, type SnapshotInfo, type ToWorker } from "./protocol.ts";
import { openTerminal } from "./components/terminal.ts";
import { MonitorTab } from "./components/monitor-tab.ts";
import { renderStatus } from "./components/status-bar.ts";
import { VgaPanel } from "./components/vga-panel.ts";
import { renderBenchChart, type BenchResult } from "./components/bench-chart.ts";
import { renderDiffChart } from "./components/diff-chart.ts";
import type { DesignDiff } from "../system/diff-designs.ts";
import { GuestFileClient } from "./guest-file-client.ts";
import { setupFileBar, type TransferRecord } from "./components/file-bar.ts";
import { MemoryViews } from "./components/memory-views.ts";
import { setupMobileInput } from "./components/mobile-input.ts";
import { SnapshotBar } from "./components/snapshot-bar.ts";
import { ForkView } from "./components/fork-view.ts";

/** The guest booted when the URL does not say. */
const DEFAULT_GUEST: BootRequest["guest"] = "kernel";

const $ = <T extends HTMLElement>(id: string) => document.getElementById(id) as T;
const params = new URLSearchParams(location.search);
const guestKind: BootRequest["guest"] = params.get("guest") === "fixture" ? "fixture" : params.get("guest") === "kernel" ? "kernel" : DEFAULT_GUEST;
const extraCmdline = params.get("cmdline") ?? "";
const jit = params.get("jit") !== "0"; // ?jit=0: the interpreter only
const designSelect = $<HTMLSelectElement>("design");
// the designs, from the kernel's list: the selector (the kernel's default first chosen) and the benchmark checkboxes
designSelect.append(...MM_DESIGNS.map((d) => new Option(d, d, d === DEFAULT_MM_DESIGN, d === DEFAULT_MM_DESIGN)));
$("bench-designs").append(
  ...MM_DESIGNS.map((d) => {
    const label = document.createElement("label");
    label.append(Object.assign(document.createElement("input"), { type: "checkbox", value: d, checked: true }), ` ${d}`);
    return label;
  }),
);
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
const forkView = new ForkView($("fork-view"), (msg) => send(msg));

// ---- state the tests read (window.vmalab) ----
const hook = {
  frames: 0,
  boots: 0,
  booted: null as null | { guest: string; design: string; cmdline: string; snapshot?: string },
  snapshots: [] as SnapshotInfo[],
  snapshotStatus: () => $("snap-status").textContent ?? "",
  errors: [] as string[],
  benchResults: [] as BenchResult[],
  diff: null as DesignDiff | null,
  transfers: [] as TransferRecord[],
  consoleText: () => consoleTerm.text(),
  monitorText: () => monitorTerm.text(),
  vgaText: () => vga.text,
  memory: memoryViews.model(),
  fork: forkView.model(),
};
(window as unknown as { vmalab: typeof hook }).vmalab = hook;
const tick = () => {
  hook.frames++;
  requestAnimationFrame(tick);
};
requestAnimationFrame(tick);

// ---- booting and controls ----
let paused = false;
/** The stored snapshot the last boot started from (null: a fresh boot). */
let bootSnapshot: string | null = null;
/** The stored snapshot the page started from by itself: a fresh boot follows if it cannot be used. */
let autoSnapshot: string | null = null;
function boot(snapshot: string | null = null): void {
  hideError();
  consoleTerm.term.reset();
  paused = false;
  bootSnapshot = snapshot;
  $("pause").textContent = "Pause";
  send({
    type: "boot",
    guest: guestKind,
    design: designSelect.value as MmDesign,
    cmdline: extraCmdline,
    initramfsUrl: new URL(initramfsUrl, document.baseURI).href,
    rows: consoleTerm.term.rows,
    cols: consoleTerm.term.cols,
    ...(snapshot !== null ? { snapshot } : {}),
    jit,
  });
}
const freshBoot = () => boot(null);

designSelect.addEventListener("change", freshBoot);
$("reset").addEventListener("click", freshBoot);
$("error-reset").addEventListener("click", freshBoot);
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

// ---- whole-machine snapshots in this browser ----
const snapshotBar = new SnapshotBar(
  {
    nameInput: $("snap-name"),
    saveButton: $("snap-save"),
    list: $("snap-list"),
    restoreButton: $("snap-restore"),
    downloadButton: $("snap-download"),
    deleteButton: $("snap-delete"),
    openButton: $("snap-open"),
    fileInput: $("snap-file"),
    freshButton: $("snap-fresh"),
    status: $("snap-status"),
  },
  send,
  boot,
);
if (guestKind !== "kernel") $("snapshot-bar").hidden = true;
/** Set once the first list arrived and the first boot was sent. */
let started = false;

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
$("diff-run").addEventListener("click", () => {
  const argv = $<HTMLInputElement>("diff-argv").value.trim().split(/\s+/).filter(Boolean);
  const designs = Array.from(document.querySelectorAll<HTMLInputElement>("#bench-designs input:checked")).map((i) => i.value as MmDesign);
  if (argv.length === 0 || designs.length === 0) {
    $("diff-label").textContent = argv.length === 0 ? "type a guest program and its arguments" : "check at least one design";
    return;
  }
  $<HTMLButtonElement>("diff-run").disabled = true;
  $("diff-chart").replaceChildren();
  send({ type: "diff", argv, designs });
});
/** Shows results in the chart (also the entry point for results computed elsewhere). */
function showBenchResults(results: BenchResult[]): void {
  hook.benchResults = results;
  $("bench-chart").replaceChildren(renderBenchChart(results));
}

/** A long job's progress in the benchmark tab: the bar `${what}-progress` and the line `${what}-label`. */
function showProgress(what: "bench" | "diff", p: { done: number; total: number; label: string }): void {
  const bar = $<HTMLProgressElement>(`${what}-progress`);
  bar.max = Math.max(1, p.total);
  bar.value = p.done;
  $(`${what}-label`).textContent = p.label;
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
      hook.booted = { guest: msg.guest, design: msg.design, cmdline: msg.cmdline, ...(msg.snapshot !== null ? { snapshot: msg.snapshot } : {}) };
      designSelect.value = msg.design;
      memoryViews.rebooted();
      if (msg.snapshot !== null) {
        consoleTerm.term.write(`\x1b[2m[the machine as saved in ${msg.snapshot}, at guest cycle ${msg.cycles}: press Enter for a prompt]\x1b[0m\r\n`);
        snapshotBar.say(`started from ${msg.snapshot}${msg.snapshot === autoSnapshot ? " (the newest stored; Fresh boot to boot afresh)" : ""}`);
      }
      break;
    case "snapshots":
      hook.snapshots = msg.list;
      snapshotBar.update(msg.list, msg.note);
      if (!started) {
        started = true;
        const newest = guestKind === "kernel" && !params.has("fresh") ? snapshotBar.newest() : null;
        autoSnapshot = newest?.name ?? null;
        boot(autoSnapshot);
      }
      break;
    case "snapshot-result":
      snapshotBar.result(msg.ok, msg.message);
      break;
    case "snapshot-file":
      snapshotBar.download(msg.name, msg.blob);
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
    case "bench-progress":
      showProgress("bench", msg);
      if (msg.label === "failed") $<HTMLButtonElement>("bench-run").disabled = false;
      break;
    case "mem-snapshot":
      memoryViews.onSnapshot(msg.snap);
      break;
    case "mem-reply":
      memoryViews.onReply(msg);
      break;
    case "file-reply":
      files.onReply(msg);
      break;
    case "diff-progress":
      showProgress("diff", msg);
      break;
    case "diff-result":
      hook.diff = msg.diff;
      $<HTMLButtonElement>("diff-run").disabled = false;
      $("diff-chart").replaceChildren(renderDiffChart(msg.diff));
      break;
    case "fork-trace-result":
      forkView.onResult(msg.traces);
      break;
    case "fork-trace-error":
      forkView.onError(msg.message);
      break;
    case "diff-error":
      $<HTMLButtonElement>("diff-run").disabled = false;
      $("diff-label").textContent = `error: ${msg.message}`;
      break;
    case "bench-result":
      $<HTMLButtonElement>("bench-run").disabled = false;
      showBenchResults(msg.results);
      break;
    case "error": {
      if (msg.kind === "boot" && bootSnapshot !== null && bootSnapshot === autoSnapshot) {
        // the newest stored snapshot cannot start here (another build, say): boot afresh and say why
        const name = bootSnapshot;
        autoSnapshot = null;
        boot(null);
        snapshotBar.say(`could not start from ${name}: ${msg.message}; booted afresh`);
        break;
      }
      const title = { exception: "The emulator failed (a bug)", panic: "The guest kernel panicked", boot: "The guest could not boot", halted: "The guest stopped" }[msg.kind];
      showError(`${title}:\n${msg.message}`);
      break;
    }
  }
});

// The first boot waits for the worker's list of stored snapshots ("snapshots" above).
consoleTerm.term.focus();
