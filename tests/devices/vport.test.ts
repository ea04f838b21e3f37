// The paravirtual console (emulator/devices/vport.ts): its registers, the hold
// that keeps a run deterministic while the host side is not ready, and the
// whole path through the kernel's driver (kernel/drivers/vport*.ts) with the
// CLI's stream source (cli/run-stdio.ts).
import { describe, it, expect } from "vitest";
import { PassThrough } from "node:stream";
import { Machine, RunResult } from "../../emulator/machine/machine.ts";
import { VPORT_BASE, VportCmd, VportReg, VportResult, VportStatus, type VportSink, type VportSource } from "../../emulator/devices/vport.ts";
import { VmalabSystem } from "../../system/system.ts";
import { StreamSource, SOURCE_CAP } from "../../cli/run-stdio.ts";
import { INITRD } from "../support/guest.ts";

/** A source whose bytes the test releases by hand. */
class HandSource implements VportSource {
  data: number[] = [];
  eof = false;
  notify: () => void = () => {};
  readable(): boolean {
    return this.data.length > 0 || this.eof;
  }
  read(dst: Uint8Array, off: number, len: number): number {
    const n = Math.min(len, this.data.length);
    for (let i = 0; i < n; i++) dst[off + i] = this.data.shift()!;
    return n;
  }
}

/** A sink that keeps everything and can be made full or closed. */
class MemorySink implements VportSink {
  bytes: number[] = [];
  closed = false;
  full = false;
  write(src: Uint8Array, off: number, len: number): boolean {
    for (let i = 0; i < len; i++) this.bytes.push(src[off + i]);
    return !this.full;
  }
  writable(): boolean {
    return !this.full;
  }
}

function command(m: Machine, port: number, cmd: number, addr: number, len: number): number {
  m.io.out32(VPORT_BASE + VportReg.SEL, port);
  m.io.out32(VPORT_BASE + VportReg.ADDR, addr);
  m.io.out32(VPORT_BASE + VportReg.LEN, len);
  m.io.out32(VPORT_BASE + VportReg.CMD, cmd);
  return m.io.in32(VPORT_BASE + VportReg.RESULT);
}

describe("vport device", () => {
  it("moves bytes by DMA, reports end of file, refuses bad addresses and absent ports", () => {
    const src = new HandSource();
    const sink = new MemorySink();
    const m = new Machine({ memorySize: 1 << 20, vports: [{ source: src, connect: (n) => (src.notify = n) }, { sink }] });
    expect(m.io.in32(VPORT_BASE + VportReg.ID) >>> 0).toBe(0x54525056);
    expect(m.io.in32(VPORT_BASE + VportReg.NPORTS)).toBe(2);
    m.io.out32(VPORT_BASE + VportReg.SEL, 0);
    expect(m.io.in32(VPORT_BASE + VportReg.STATUS)).toBe(VportStatus.PRESENT_IN);
    src.data.push(0, 0xff, 0x0d, 0x0a);
    expect(command(m, 0, VportCmd.RX, 0x8000, 16)).toBe(4);
    expect([...m.mem.ram.subarray(0x8000, 0x8004)]).toEqual([0, 0xff, 0x0d, 0x0a]);
    m.mem.ram.set([1, 2, 3], 0x9000);
    expect(command(m, 1, VportCmd.TX, 0x9000, 3)).toBe(3);
    expect(sink.bytes).toEqual([1, 2, 3]);
    expect(command(m, 1, VportCmd.TX, (1 << 20) - 2, 3)).toBe(VportResult.FAULT);
    expect(command(m, 1, VportCmd.RX, 0x8000, 1)).toBe(VportResult.NODEV);
    expect(command(m, 7, VportCmd.TX, 0x8000, 1)).toBe(VportResult.NODEV);
    sink.closed = true;
    expect(command(m, 1, VportCmd.TX, 0x9000, 3)).toBe(VportResult.CLOSED);
    src.eof = true;
    expect(command(m, 0, VportCmd.RX, 0x8000, 16)).toBe(0);
    expect(m.vport.waiting).toBe(false);
  });

  it("holds the machine while the host has nothing, then raises its interrupt", () => {
    const src = new HandSource();
    const m = new Machine({ memorySize: 1 << 20, vports: [{ source: src, connect: (n) => (src.notify = n) }] });
    let irq = false;
    m.pic.setIrq = ((line: number, level: boolean) => line === 5 && (irq = level)) as typeof m.pic.setIrq;
    expect(command(m, 0, VportCmd.POLL_RX, 0, 0)).toBe(0);
    expect(command(m, 0, VportCmd.RX, 0x8000, 16)).toBe(VportResult.AGAIN);
    expect(m.vport.waiting).toBe(true);
    const before = m.cycles;
    expect(m.runSlice(1_000_000)).toBe(RunResult.Idle);
    expect(m.cycles).toBe(before); // no guest time passes while held
    m.stop(); // the monitor can still stop a held machine
    expect(m.runSlice(1_000_000)).toBe(RunResult.Stopped);
    m.resume();
    expect(m.runSlice(1_000_000)).toBe(RunResult.Idle);
    src.data.push(42);
    src.notify();
    expect([m.vport.waiting, irq]).toEqual([false, true]);
    expect(m.io.in32(VPORT_BASE + VportReg.ISR)).toBe(1);
    expect(irq).toBe(false);
    expect(command(m, 0, VportCmd.RX, 0x8000, 16)).toBe(1);
  });

  it("holds the machine while a sink is full", () => {
    const sink = new MemorySink();
    let notify = () => {};
    const m = new Machine({ memorySize: 1 << 20, vports: [null, { sink, connect: (n) => (notify = n) }] });
    sink.full = true;
    expect(command(m, 1, VportCmd.TX, 0x9000, 8)).toBe(8);
    expect(m.vport.waiting).toBe(true);
    expect(command(m, 1, VportCmd.TX, 0x9000, 8)).toBe(VportResult.AGAIN);
    sink.full = false;
    notify();
    expect(m.vport.waiting).toBe(false);
    expect(sink.bytes.length).toBe(8);
  });
});

/** Runs /bin/cat as init with `input` fed to a StreamSource in pieces of `piece` bytes every `every` host turns. */
async function catThrough(input: Buffer, piece: number, every: number, windowed: boolean): Promise<{ cycles: number; out: Buffer; status: number }> {
  const stream = new PassThrough();
  const source = new StreamSource(stream, windowed);
  const sink = new MemorySink();
  let status = -1;
  const sys = new VmalabSystem({
    builtinInitrd: INITRD,
    deterministic: true,
    cmdline: "quiet",
    initArgv: ["/bin/cat"],
    onInitExit: (s) => (status = s),
    vports: [{ source, connect: (n) => source.connect(n) }, { sink }, { sink }],
  });
  const m = sys.machine;
  const mode = (fd: number) => sys.kernel.tasks.get(1)!.files!.get(fd)!.inode.mode & 0o170000;
  expect([mode(0), mode(1), mode(2)]).toEqual([0o010000, 0o010000, 0o010000]); // S_IFIFO, as a shell's pipe
  let pos = 0;
  let ended = false;
  for (let turn = 0; ; turn++) {
    if (turn > 200_000) throw new Error(`cat did not finish: fed ${pos}, out ${sink.bytes.length}, held ${m.vport.waiting}, cycles ${m.cycles}`);
    const r = m.runSlice(2_000_000);
    if (r === RunResult.Exited) break;
    if (turn % every === 0 && !ended) {
      if (pos < input.length) stream.write(input.subarray(pos, pos + piece));
      else {
        stream.end();
        ended = true;
      }
      pos += piece;
    }
    await new Promise((resolve) => setImmediate(resolve));
  }
  return { cycles: m.cycles, out: Buffer.from(sink.bytes), status };
}

describe("vport through the kernel", () => {
  it("gives the same guest cycles for the same bytes however they arrive (windowed input)", async () => {
    const input = Buffer.alloc(SOURCE_CAP * 2 + 1234);
    for (let i = 0; i < input.length; i++) input[i] = (i * 7) & 0xff;
    const a = await catThrough(input, 65536, 1, true);
    const b = await catThrough(input, 1000, 3, true);
    expect(a.out.equals(input)).toBe(true);
    expect(b.out.equals(input)).toBe(true);
    expect(a.status).toBe(0);
    expect(b.cycles).toBe(a.cycles);
    const c = await catThrough(input, 777, 2, false); // as it arrives: the same bytes, other cycles allowed
    expect(c.out.equals(input)).toBe(true);
  }, 120_000);
});
