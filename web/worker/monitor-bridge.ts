// The monitor tab's back end: lines from the page go to the guest's monitor
// (monitor/monitor.ts, the same one the CLI uses).

import type { Guest } from "./guest.ts";

/** Runs one monitor command on guest; returns the text to print (may be empty). Never throws. */
export function runMonitorCommand(guest: Guest, line: string): string {
  try {
    return guest.monitor.execute(line);
  } catch (e) {
    return `error: ${e instanceof Error ? e.message : String(e)}`;
  }
}
