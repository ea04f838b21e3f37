// The monitor's time travel on the booted PC (monitor/monitor.ts with
// system/time-travel.ts): record, run /tests/fork_cow, then `goto fault N
// cow-copy` must land on the same instruction, with the same registers and
// instruction count, as a second run of the same input that stopped at that
// fault with `pf break` before the kernel handled it; `reverse-step` and
// `rewind` move back, and errors are one line.

import { describe, expect, it } from "vitest";
import { VmalabSystem } from "../../system/system.ts";
import { Monitor } from "../../monitor/monitor.ts";
import { SystemTimeTravel } from "../../system/time-travel.ts";
import { INITRD, runToCycle as runTo } from "../support/guest.ts";
import { formatTrace, type FaultTraceEntry } from "../../monitor/fault-trace.ts";

function boot() {
  const out = { text: "" };
  const sys = new VmalabSystem({ builtinInitrd: INITRD, deterministic: true, cmdline: "quiet", onConsoleOutput: (b) => (out.text += String.fromCharCode(b)) });
  return { sys, out };
}

const PROMPT_AT = 40_000_000;
const INPUT = new TextEncoder().encode("/tests/fork_cow\r");

const where = (sys: VmalabSystem) => {
  const r = sys.machine.cpu.registers();
  return { instructions: sys.machine.instructions, gp: r.gp, eip: r.eip, eflags: r.eflags, seg: r.seg.map((s) => s.sel), cr3: r.cr3 };
};

describe("time travel in the monitor", () => {
  it("goes to the N-th COW fault exactly where pf break stops a forward run", () => {
    const a = boot();
    runTo(a.sys, PROMPT_AT);
    const travel = new SystemTimeTravel(a.sys);
    const mon = new Monitor(a.sys, undefined, undefined, travel);
    travel.logFaultsFrom(mon.faults);
    expect(mon.execute("goto fault 1")).toBe("not recording: record on first (going back needs the snapshots it keeps)");
    expect(mon.execute("record on")).toBe(`recording from cycle ${a.sys.machine.cycles}`);
    travel.sendInput(INPUT);
    const END = PROMPT_AT + 150_000_000;
    runTo(a.sys, END);
    expect(a.out.text).toMatch(/PASS/);
    expect(a.out.text).not.toMatch(/FAIL/);
    const status = mon.execute("record");
    const faults = Number(/, (\d+) page faults$/.exec(status)?.[1]);
    expect(faults).toBeGreaterThan(10);

    const b = boot();
    runTo(b.sys, PROMPT_AT);
    b.sys.machine.sendInput(INPUT);
    const monB = new Monitor(b.sys);
    monB.execute("pf break cow-copy");
    // B stops at every COW copy the CPU raises in user mode (the kernel's own, on user
    // buffers, raise none): A goes to the same ones of fork_cow's processes, counted per pid.
    const seen = new Map<number, number>();
    let compared = 0;
    for (let stops = 0; stops < 50 && compared < 3; stops++) {
      expect(monB.debugger.advance(200_000_000)).toBe("stopped");
      const t = b.sys.kernel.current;
      const n = (seen.get(t.pid) ?? 0) + 1;
      seen.set(t.pid, n);
      if (t.comm === "fork_cow") {
        const line = mon.execute(`goto fault ${n} pid ${t.pid} user cow-copy`);
        expect(line).toMatch(new RegExp(`^pf pid ${t.pid} \\(fork_cow\\) eip [0-9a-f]{8} cr2 [0-9a-f]{8} \\[protection write user\\] .*: COW copy `));
        expect(line.split("\n")[1]).toMatch(new RegExp(`^cycle \\d+, instruction ${b.sys.machine.instructions}: 0x[0-9a-f]+: `));
        expect(where(a.sys)).toEqual(where(b.sys));
        compared++;
        runTo(a.sys, END); // the future was dropped: run it again (its faults are logged again)
      }
      monB.execute("cont");
    }
    expect(compared).toBe(3);
    expect(mon.execute("goto fault 9999 cow-copy")).toMatch(/^goto fault: \d+ such page faults recorded so far, no number 9999$/);
    expect(mon.execute("goto fault 1 bogus")).toMatch(/^goto fault: unknown decision 'bogus'/);

    // goto fault seq S: the fault the tracer numbered S (what the page's fault timeline shows) is the
    // same one `goto fault N` counts to.
    const entries: FaultTraceEntry[] = [];
    mon.faults.addSink((e) => entries.push(e));
    mon.execute("goto fault 1 cow-copy"); // back before fork_cow's COW faults, then forward again:
    runTo(a.sys, END); // the tracer numbers them anew
    const cows = entries.filter((e) => e.decision === "cow-copy");
    expect(cows.length).toBeGreaterThan(4);
    const bySeq = mon.execute(`goto fault seq ${cows[4].seq}`);
    expect(bySeq.split("\n")[0]).toBe(formatTrace(cows[4]));
    const atSeq = where(a.sys);
    runTo(a.sys, END);
    expect(mon.execute("goto fault 5 cow-copy").split("\n")[0]).toBe(formatTrace(cows[4]));
    expect(where(a.sys)).toEqual(atSeq);
    expect(mon.execute("goto fault seq 999999")).toMatch(/^goto fault: fault 999999 is not in the recording/);
    runTo(a.sys, END);

    // reverse-cont: back to the previous time a breakpoint's instruction was about to run.
    expect(mon.execute("reverse-cont")).toBe("reverse-cont: no breakpoint or watchpoint set (break EIP, watch VADDR)");
    mon.execute("goto fault 12 user cow-copy"); // in fork_cow's loop that writes one page after another
    const bp = a.sys.machine.cpu.registers().eip;
    const at3 = a.sys.machine.instructions;
    mon.execute(`break 0x${bp.toString(16)}`);
    const rc = mon.execute("reverse-cont");
    expect(rc).toMatch(new RegExp(`^breakpoint at cycle \\d+, instruction \\d+: 0x${bp.toString(16)}: `));
    expect(a.sys.machine.cpu.registers().eip).toBe(bp);
    expect(a.sys.machine.instructions).toBeLessThan(at3);
    // It is the latest earlier hit: running on, the next one is where we came from.
    mon.execute("stop");
    mon.execute("cont"); // from a stop, cont first runs the breakpoint's own instruction
    expect(mon.debugger.advance(50_000_000)).toBe("stopped");
    expect(a.sys.machine.instructions).toBe(at3);
    mon.execute("delete");

    // reverse-cont with a watchpoint: back to just after the instruction that last changed the watched value.
    const line = mon.execute("goto fault 10 user cow-copy");
    const addr = Number.parseInt(/cr2 ([0-9a-f]{8})/.exec(line)![1], 16);
    const value = () => mon.execute(`x/1w 0x${addr.toString(16)}`);
    let changedAt = -1;
    for (let i = 0, v = value(); i < 2000; i++) {
      mon.execute("step");
      if (value() !== v) {
        v = value();
        changedAt = a.sys.machine.instructions; // the boundary after the write
        if (i > 10) break;
      }
    }
    expect(changedAt).toBeGreaterThan(0);
    for (let i = 0; i < 3; i++) mon.execute("step");
    const written = value();
    mon.execute(`watch 0x${addr.toString(16)}`);
    const back = mon.execute("reverse-cont");
    expect(back).toMatch(new RegExp(`^watchpoint \\d+: write to 0x${addr.toString(16).padStart(8, "0")} \\(0x[0-9a-f]+ -> 0x${Number(/: +(0x[0-9a-f]+)/.exec(written)![1]).toString(16)}\\) at cycle \\d+, instruction \\d+: `));
    expect(a.sys.machine.instructions).toBe(changedAt);
    expect(value()).toBe(written);
    mon.execute("delete");
    mon.execute("reverse-step");
    expect(value()).not.toBe(written);

    const before = a.sys.machine.instructions;
    expect(mon.execute("reverse-step 5")).toMatch(new RegExp(`^cycle \\d+, instruction ${before - 5}: `));
    const cycles = a.sys.machine.cycles;
    expect(mon.execute("rewind 1000000")).toMatch(/^cycle \d+, instruction \d+: /);
    expect(a.sys.machine.cycles).toBeGreaterThanOrEqual(cycles - 1_000_000);
    expect(a.sys.machine.cycles).toBeLessThan(cycles);
    expect(mon.execute("check")).toBe("frame accounting: OK");
  });
});
