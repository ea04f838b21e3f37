// The guest test programs (userland/tests) under every memory-manager design,
// each run twice from the shell: the second run must leave exactly as many free
// frames as the first (no frame leaked), and the frame accounting must hold.

import { describe, expect, it } from "vitest";
import { readdirSync } from "node:fs";
import { GuestSession } from "../support/guest.ts";

const TESTS = readdirSync(new URL("../../userland/tests", import.meta.url))
  .filter((f) => f.endsWith(".c"))
  .map((f) => f.slice(0, -2))
  .sort();
const DESIGNS = ["classic", "vma", "lazy", "sharedpt"];

describe.each(DESIGNS)("guest tests under mm=%s", (design) => {
  const session = new GuestSession({ cmdline: `quiet mm=${design}` });
  it.each(TESTS)("%s passes and leaks no frame", { timeout: 240_000 }, (name) => {
    const first = session.runStatus(`/tests/${name}`);
    expect(first.output).not.toMatch(/^FAIL/m);
    expect(first.output, "SKIP is for native runs only").not.toMatch(/^SKIP/m);
    expect(first.output).toMatch(/^PASS/m);
    expect(first.status).toBe(0);
    const free = session.freeFrames();
    const second = session.runStatus(`/tests/${name}`);
    expect(second.output).toBe(first.output);
    expect(second.status).toBe(0);
    expect(session.freeFrames()).toBe(free);
    expect(session.check()).toEqual([]);
  });
});
