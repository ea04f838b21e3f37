// The dry-run classification behind `pf break ... DECISION` must name the decision
// the kernel then takes, for every user page fault of the guest test programs in
// the committed initramfs (COW copy/reuse, demand-zero, file read/map, stack
// growth, refused growth, SIGSEGV, shared mappings, mprotect, clone).

import { describe, expect, it } from "vitest";
import { readFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { VmalabSystem } from "../../system/system.ts";
import { Monitor } from "../../monitor/monitor.ts";

const ROOT = resolve(import.meta.dirname, "../..");
const PROGRAMS = ["fork_cow", "stack_growth", "segv", "map_shared", "mprotect", "brk", "mmap_split", "signals"];

describe("pf break's decision prediction", () => {
  const image = readFileSync(join(ROOT, "userland/build/initramfs.cpio"));
  for (const name of PROGRAMS) {
    it(`matches the kernel on every fault of /tests/${name}`, () => {
      let status = -1;
      const sys = new VmalabSystem({
        builtinInitrd: image, deterministic: true, memorySize: 64 << 20,
        cmdline: `init=/tests/${name} quiet`, onInitExit: (s) => (status = s),
      });
      const mon = new Monitor(sys);
      const predicted: string[] = [];
      const actual: string[] = [];
      mon.faults.addSink((e) => {
        if (e.eip !== null) actual.push(`${e.pid} ${e.address.toString(16)} ${e.decision}`);
      });
      mon.debugger.exceptionFilter = (e) => {
        const p = mon.faults.predict(e);
        if (p) predicted.push(`${p.pid} ${e.cr2.toString(16)} ${p.decision}`);
        return false;
      };
      mon.debugger.modeChanged();
      expect(mon.debugger.advance(3_000_000_000)).toBe("exit");
      expect(status).toBe(0);
      expect(actual.length).toBeGreaterThan(5);
      expect(predicted).toEqual(actual);
    });
  }
});
