// Seed 004 (VM_PFNMAP) in the guest: /dev/mem maps the VGA text memory (the
// screen shows what the program wrote) and a device range privately with
// copy-on-write across fork, under every mm design.

import { describe, expect, it } from "vitest";
import { GuestSession } from "../../support/guest.ts";
import { Monitor } from "../../../monitor/monitor.ts";

const DESIGNS = ["classic", "vma", "lazy", "sharedpt"];

describe.each(DESIGNS)("/dev/mem and VM_PFNMAP under mm=%s", (design) => {
  it("writes the screen, COWs private device pages, leaks nothing", () => {
    const s = new GuestSession({ cmdline: `quiet mm=${design}` });
    s.runStatus("/tests/devmem"); // warms the page cache
    const free = s.freeFrames();
    const r = s.runStatus("/tests/devmem");
    expect(r.output.split("\n").filter((l) => l.startsWith("FAIL"))).toEqual([]);
    expect(r.output).toContain("PASS pfnmap_device_shared");
    expect(r.status).toBe(0);
    const screen = s.sys.machine.vga.snapshot();
    expect(screen.lines[24].startsWith("vmalab: hello from /dev/mem")).toBe(true);
    expect(screen.attributes[24 * 80]).toBe(0x17);
    expect(s.freeFrames()).toBe(free);
    expect(s.check()).toEqual([]);
  });

  it("shows the PFN mappings in the monitor (vmas, walk)", () => {
    const s = new GuestSession({ cmdline: `quiet mm=${design}` });
    s.sys.machine.sendInput(new TextEncoder().encode("/tests/devmem -w\r"));
    const ready = /(0x[0-9a-f]+) (0x[0-9a-f]+) (0x[0-9a-f]+) READY/.exec(s.waitFor("READY"))!;
    const [dev, priv] = [parseInt(ready[1], 16), parseInt(ready[2], 16)];
    const mon = new Monitor(s.sys);
    const pid = /^\s+(\d+)\s+\d+\s+\d+ \S\s+\d+\s+\d+ devmem$/m.exec(mon.execute("ps"))![1];
    const hex8 = (n: number): string => n.toString(16).padStart(8, "0");
    const vmas = mon.execute(`vmas ${pid}`);
    expect(vmas).toContain(`${hex8(dev)}-${hex8(dev + 4096)} rw-s 000b9000      1p PFNMAP,shared,io`);
    expect(vmas).toContain(`${hex8(priv)}-${hex8(priv + 4096)} rw-p 000b9000      1p PFNMAP,io,anon_vma`);
    const raw = mon.execute(`walk ${pid} ${ready[1]}`).split("\n");
    expect(raw[2]).toMatch(/ = 000b9[0-9a-f]{3}  frame 000b9000  P RW U/);
    const copied = mon.execute(`walk ${pid} ${ready[2]}`).split("\n");
    expect(copied[2]).not.toContain("frame 000b9000"); // the private copy made by the first write
    expect(copied[3]).toMatch(/count 1 mapcount 1 pins 0 flags ANON/);
    s.sys.machine.sendInput(new TextEncoder().encode("\r"));
    s.waitFor("\r\n# ");
    expect(s.check()).toEqual([]);
  });
});
