// The monitor's machine commands on a hand-built paged guest (tests/monitor/guest.ts):
// exact output of x/i, info tlb (with a stale entry after a PTE change without
// INVLPG), info mem, info registers, x/xp formats, break/step/watch/delete.

import { describe, expect, it } from "vitest";
import { Monitor } from "../../monitor/monitor.ts";
import { disassemble } from "../../emulator/cpu/disasm.ts";
import { pagedGuest } from "./guest.ts";

function setup() {
  const machine = pagedGuest();
  const mon = new Monitor({ machine });
  const async: string[] = [];
  mon.onAsyncOutput((t) => async.push(t));
  return { machine, mon, async };
}

describe("monitor machine commands", () => {
  it("disassembles the guest code with x/i", () => {
    const { mon } = setup();
    expect(mon.execute("x/7i 0x10000")).toBe([
      "   0x10000:  mov    eax,ds:0x800000",
      "   0x10005:  mov    DWORD PTR ds:0x3000,0x102007",
      "   0x1000f:  mov    ebx,DWORD PTR ds:0x800000",
      "   0x10015:  mov    DWORD PTR ds:0x802004,0x55",
      "   0x1001f:  inc    ecx",
      "   0x10020:  cli",
      "   0x10021:  hlt",
    ].join("\n"));
    expect(mon.execute("x/2i $eip+5")).toBe("   0x10005:  mov    DWORD PTR ds:0x3000,0x102007\n   0x1000f:  mov    ebx,DWORD PTR ds:0x800000");
  });

  it("stops at a breakpoint and marks the TLB entry the guest left stale", () => {
    const { machine, mon } = setup();
    expect(mon.execute("break 0x1000f")).toBe("breakpoint 1 at 0x1000f");
    expect(mon.debugger.advance(1_000_000)).toBe("stopped");
    expect(mon.debugger.lastStop).toEqual({ kind: "breakpoint", id: 1, eip: 0x1000f });
    expect(machine.cpu.eip).toBe(0x1000f);
    expect(mon.execute("info tlb")).toBe([
      "00003000 -> 00003000 user=-- sup=rw dirty",
      "00010000 -> 00010000 user=-- sup=rw",
      "00800000 -> 00100000 user=rw sup=rw  STALE (page tables map 00102000)",
      "3 entries, 1 stale",
    ].join("\n"));
    expect(mon.execute("step")).toBe("0x10015:  mov    DWORD PTR ds:0x802004,0x55");
    // the stale translation is what the CPU used: EBX got 0x100000's value, not 0x102000's
    expect(machine.cpu.regs[3] >>> 0).toBe(0x11111111);
    expect(mon.execute("x/1xw 0x800000")).toBe("00800000: 0x22222222");
    expect(mon.execute("xp/1xw 0x100000")).toBe("00100000: 0x11111111");
  });

  it("stops after a watched write and reports old and new values", () => {
    const { machine, mon, async } = setup();
    mon.execute("break 0x10015");
    mon.debugger.advance(1_000_000);
    expect(mon.execute("delete 1")).toBe("deleted 1");
    expect(mon.execute("watch 0x802004")).toBe("watchpoint 2 on 0x802004 len 4");
    expect(mon.execute("cont")).toBe("");
    expect(mon.debugger.advance(1_000_000)).toBe("stopped");
    expect(async).toEqual(["breakpoint 1 at 0x10015:  mov    DWORD PTR ds:0x802004,0x55", "watchpoint 2: write to 0x802004 (0x0 -> 0x55), now at 0x1001f:  inc    ecx"]);
    expect(machine.mem.read32(0x103004)).toBe(0x55);
    expect(mon.execute("info breakpoints")).toBe("2: watch 0x802004 len 4");
    expect(mon.execute("delete")).toBe("deleted 1");
    mon.execute("cont");
    expect(mon.debugger.advance(1_000_000)).toBe("halted");
    expect(mon.execute("info registers").split("\n").slice(0, 3)).toEqual([
      "EAX=11111111 EBX=11111111 ECX=00000001 EDX=00000619",
      "ESI=00000000 EDI=00000000 EBP=00000000 ESP=00009000",
      "EIP=00010022 EFL=00000002 [-------] CPL=0 IF=0 HLT=1",
    ]);
    expect(mon.execute("info registers").split("\n").slice(3, 5)).toEqual([
      "ES =0010 00000000 ffffffff 00cf9300",
      "CS =0008 00000000 ffffffff 00cf9b00",
    ]);
    expect(mon.execute("info registers")).toContain("CR0=80000011 CR2=00000000 CR3=00001000 CR4=00000000");
  });

  it("lists mapped ranges with info mem and formats x/xp", () => {
    const { mon } = setup();
    mon.debugger.advance(1_000_000);
    expect(mon.execute("info mem")).toBe([
      "00000000-00100000 00100000 -rw",
      "00800000-00801000 00001000 urw",
      "00801000-00802000 00001000 ur-",
      "00802000-00803000 00001000 urw",
    ].join("\n"));
    expect(mon.execute("xp/8xb 0x100000")).toBe("00100000: 0x11 0x11 0x11 0x11 0x00 0x00 0x00 0x00");
    expect(mon.execute("x/2xh 0x802004")).toBe("00802004: 0x0055 0x0000");
    expect(mon.execute("x/1dw 0x100")).toBe("00000100: 0");
    expect(mon.execute("x/4c 0x10000")).toBe("00010000: '\\xa1' '\\x00' '\\x00' '\\x80'");
    expect(mon.execute("x/2xw 0x7ffffc")).toBe("Cannot access memory at 0x7ffffc");
    expect(mon.execute("x/1xw 0x800ffc")).toBe("00800ffc: 0x00000000");
    expect(mon.execute("info pic")).toBe([
      // never programmed (no BIOS, no kernel): all masked, the PIT's IRQ 0 line up
      "pic0: irr=01 imr=ff isr=00 irq_base=00 lines=01 level=0 aeoi=0",
      "pic1: irr=00 imr=ff isr=00 irq_base=00 lines=00 level=0 aeoi=0",
    ].join("\n"));
  });

  it("reports user mistakes as text and completes commands", () => {
    const { mon } = setup();
    expect(mon.execute("frobnicate")).toBe("unknown command 'frobnicate' (help lists them)");
    expect(mon.execute("x/3q 0")).toBe("bad format letter 'q' (count, then x d u o c i, then b h w)");
    expect(mon.execute("break")).toBe("usage: break EIP");
    expect(mon.execute("ps")).toBe("ps: no kernel (this machine runs a bare guest)");
    expect(mon.execute("step")).toBe("step: stop the machine first (stop)");
    expect(mon.complete("info t")).toEqual(["info tlb"]);
    expect(mon.complete("in")).toEqual(["info"]);
    expect(mon.complete("s")).toEqual(["step", "stop"]);
  });
});

describe("disassembler", () => {
  const dis = (bytes: number[], eip = 0): string => disassemble((i) => (i < bytes.length ? bytes[i] : -1), eip).text;
  it("prints Intel syntax as objdump -M intel does", () => {
    expect(dis([0x8b, 0x45, 0x08])).toBe("mov    eax,DWORD PTR [ebp+0x8]");
    expect(dis([0xf3, 0xa5])).toBe("rep movs DWORD PTR es:[edi],DWORD PTR ds:[esi]");
    expect(dis([0x83, 0xc0, 0xff])).toBe("add    eax,0xffffffff");
    expect(dis([0x8b, 0x84, 0x88, 0x00, 0x00, 0x00, 0x80])).toBe("mov    eax,DWORD PTR [eax+ecx*4-0x80000000]");
    expect(dis([0x64, 0x8b, 0x00])).toBe("mov    eax,DWORD PTR fs:[eax]");
    expect(dis([0x0f, 0x01, 0x38])).toBe("invlpg BYTE PTR [eax]");
    expect(dis([0x0f, 0x22, 0xd8])).toBe("mov    cr3,eax");
    expect(dis([0xe8, 0, 0, 0, 0], 0xf4)).toBe("call   0xf9");
    expect(dis([0x74, 0x02], 0xfb)).toBe("je     0xff");
    expect(dis([0x66, 0x98])).toBe("cbw");
    expect(dis([0xf0, 0x83, 0x00, 0x01])).toBe("lock add DWORD PTR [eax],0x1");
    // The P6 additions, as objdump 2.40 prints them.
    expect(dis([0x0f, 0x44, 0xc1])).toBe("cmove  eax,ecx");
    expect(dis([0x0f, 0x4f, 0x45, 0x08])).toBe("cmovg  eax,DWORD PTR [ebp+0x8]");
    expect(dis([0x66, 0x0f, 0x42, 0xc3])).toBe("cmovb  ax,bx");
    expect(dis([0x0f, 0xc7, 0x0e])).toBe("cmpxchg8b QWORD PTR [esi]");
    expect(dis([0x0f, 0x1f, 0x40, 0x00])).toBe("nop    DWORD PTR [eax+0x0]");
    expect(dis([0x0f, 0x33])).toBe("rdpmc");
    expect(dis([0x8d, 0x74, 0x26, 0x00])).toBe("lea    esi,[esi+eiz*1+0x0]");
    expect(dis([0x67, 0x8b, 0x46, 0x02])).toBe("mov    eax,DWORD PTR [bp+0x2]");
    expect(dis([0xcd, 0x80])).toBe("int    0x80");
    expect(dis([0x0f, 0x0b])).toBe("ud2");
    expect(dis([0x0f, 0xff])).toBe("(bad)");
    expect(dis([0x8b])).toBe("(bad)");
  });
  it("never throws on arbitrary bytes and consumes 1..15 bytes", () => {
    let x = 12345;
    for (let n = 0; n < 20000; n++) {
      const bytes: number[] = [];
      for (let i = 0; i < 16; i++) {
        x = (x * 1103515245 + 12345) >>> 0;
        bytes.push(x >>> 24);
      }
      const d = disassemble((i) => bytes[i], 0x1000, (n & 1) === 0);
      expect(d.length).toBeGreaterThanOrEqual(1);
      expect(d.length).toBeLessThanOrEqual(15);
    }
  });
});

describe("the debugger's run loop (the CLI's path)", () => {
  it("stops a running machine, continues it, and switches to stepping for a breakpoint", async () => {
    const { machine, mon, async } = setup();
    // replace the program with: inc ecx ; jmp short -3 (forever)
    machine.mem.writeBytes(0x10000, Uint8Array.of(0x41, 0xeb, 0xfd));
    const run = mon.debugger.run();
    const tick = (ms: number) => new Promise((r) => setTimeout(r, ms));
    await tick(30);
    expect(mon.execute("stop")).toBe("stopping");
    await tick(10);
    expect(mon.debugger.stopped).toBe(true);
    expect(async).toHaveLength(1);
    expect(async[0]).toMatch(/^stopped at 0x1000[01]:  (inc    ecx|jmp    0x10000)$/);
    const ecx = machine.cpu.regs[1];
    expect(ecx).toBeGreaterThan(1000);
    expect(mon.execute("break 0x10001")).toBe("breakpoint 1 at 0x10001");
    mon.execute("cont");
    await tick(30);
    expect(async.at(-1)).toBe("breakpoint 1 at 0x10001:  jmp    0x10000");
    expect(machine.cpu.regs[1]).toBe(ecx + (async[0].includes("inc") ? 1 : 0) + (async[0].includes("jmp") ? 1 : 0));
    mon.execute("delete");
    machine.mem.writeBytes(0x10000, Uint8Array.of(0xfa, 0xb0, 0x05, 0xe6, 0xf4)); // cli ; mov al,5 ; out 0xf4,al
    machine.cpu.eip = 0x10000;
    mon.execute("cont");
    expect(await run).toEqual({ kind: "exit", status: 11 }); // isa-debug-exit: (5 << 1) | 1
    expect(async.at(-1)).toBe("guest exited with status 11");
  });
});
