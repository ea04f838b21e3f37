// A GDB remote stub on 127.0.0.1 (node:net) for the emulated machine: one
// thread (the CPU), registers in gdb's i386 order, memory through the current
// page tables (linear addresses; segment bases are ignored), continue and
// single step through the Debugger, software breakpoints (Z0/Z1), write
// watchpoints (Z2), Ctrl-C. The host drives the machine with
// `server.debugger.run()` (instead of machine.start()).

import { createServer, type Server, type Socket } from "node:net";
import type { Machine } from "../machine/machine.ts";
import { S, type CpuRegisters } from "../cpu/cpu.ts";
import { Debugger, type StopReason } from "./debugger.ts";
import { readLinear, writeLinear } from "./linear.ts";
import { RspParser, framePacket, fromHex, le32, parseLe32, toHex } from "./rsp.ts";
import { REG_COUNT, regSize, targetXml } from "./target-xml.ts";

export interface GdbServerOptions {
  /** Start with the machine stopped until gdb continues it (--gdb-wait). */
  wait?: boolean;
  /** Share the monitor's Debugger; by default the server makes one. */
  debugger?: Debugger;
  /** Log lines about connections (default: none). */
  log?: (line: string) => void;
  /**
   * Reverse execution for gdb's reverse-stepi (the `bs` packet): moves the
   * machine back one instruction, or throws when the recorded history begins
   * here. Absent: gdb is told the target cannot.
   */
  stepBack?: () => void;
  /**
   * Reverse execution for gdb's reverse-continue (the `bc` packet): moves the
   * machine back to the last breakpoint reached or watched value changed (the
   * search of debugger.reverseStops, whose reverseStopReason the reply gives);
   * false when the recorded history began first (the machine is then at its start).
   */
  continueBack?: () => boolean;
}

export interface GdbServer {
  /** The TCP port listened on (useful with port 0). */
  readonly port: number;
  readonly debugger: Debugger;
  /** Stops listening and drops the client. */
  close(): Promise<void>;
}

const SEG_ORDER = [S.CS, S.SS, S.DS, S.ES, S.FS, S.GS];
const SIGINT = 2, SIGTRAP = 5;

/**
 * Listens on 127.0.0.1:port for one gdb at a time. Resolves once listening;
 * rejects (with the socket error) when the port cannot be bound.
 */
export function startGdbServer(machine: Machine, port: number, opts: GdbServerOptions = {}): Promise<GdbServer> {
  const dbg = opts.debugger ?? new Debugger(machine);
  if (opts.wait) dbg.stop();
  let client: GdbSession | null = null;
  const server: Server = createServer((sock) => {
    if (client) {
      sock.end();
      return;
    }
    opts.log?.(`gdb: connection from ${sock.remoteAddress}:${sock.remotePort}`);
    client = new GdbSession(machine, dbg, opts, sock, () => {
      client = null;
      opts.log?.("gdb: connection closed");
    });
  });
  return new Promise((resolve, reject) => {
    server.once("error", reject);
    server.listen(port, "127.0.0.1", () => {
      server.off("error", reject);
      const addr = server.address();
      resolve({
        port: typeof addr === "object" && addr ? addr.port : port,
        debugger: dbg,
        close: () =>
          new Promise<void>((res) => {
            client?.drop();
            server.close(() => res());
          }),
      });
    });
  });
}

/** One connected gdb. */
class GdbSession {
  private readonly parser = new RspParser();
  /** gdb sent c/s/vCont and waits for a stop reply. */
  private waiting = false;
  private noAck = false;
  private readonly unlisten: () => void;

  constructor(
    private readonly machine: Machine,
    private readonly dbg: Debugger,
    private readonly opts: GdbServerOptions,
    private readonly sock: Socket,
    private readonly onClose: () => void,
  ) {
    sock.setEncoding("latin1");
    sock.setNoDelay(true);
    sock.on("data", (d: string) => this.receive(d));
    sock.on("close", () => this.closed());
    sock.on("error", () => {});
    this.unlisten = dbg.onStop((r) => {
      if (this.waiting) {
        this.waiting = false;
        this.send(this.stopReply(r));
      }
    });
    if (!dbg.stopped) dbg.stop(); // gdb expects a stopped target on attach
  }

  drop(): void {
    this.sock.destroy();
  }

  private closed(): void {
    this.unlisten();
    this.onClose();
  }

  private send(payload: string): void {
    this.sock.write(framePacket(payload), "latin1");
  }

  private receive(data: string): void {
    for (const ev of this.parser.feed(data)) {
      if (ev.kind === "interrupt") {
        this.dbg.stop();
        continue;
      }
      if (ev.kind === "bad-checksum") {
        if (!this.noAck) this.sock.write("-");
        continue;
      }
      if (!this.noAck) this.sock.write("+");
      const reply = this.handle(ev.payload);
      if (reply !== null) this.send(reply);
    }
  }

  private stopReply(r: StopReason): string {
    switch (r.kind) {
      case "exit": return `W${(r.status & 0xff).toString(16).padStart(2, "0")}`;
      case "triple-fault": return "X0b";
      case "request": return `T${hx(SIGINT)}thread:01;`;
      case "watchpoint": return `T${hx(SIGTRAP)}watch:${r.lin.toString(16)};thread:01;`;
      default: return `T${hx(SIGTRAP)}thread:01;`;
    }
  }

  /** Answers one packet; null when the answer comes later (continue). */
  private handle(p: string): string | null {
    const dbg = this.dbg;
    const cpu = this.machine.cpu;
    if (p.startsWith("qSupported")) return `PacketSize=4000;qXfer:features:read+;QStartNoAckMode+;vContSupported+${this.opts.stepBack ? ";ReverseStep+" : ""}${this.opts.continueBack ? ";ReverseContinue+" : ""}`;
    if (p === "QStartNoAckMode") {
      this.sock.write("+");
      this.noAck = true;
      return "OK";
    }
    if (p.startsWith("qXfer:features:read:")) {
      const m = /^qXfer:features:read:([^:]*):([0-9a-fA-F]+),([0-9a-fA-F]+)$/.exec(p);
      if (!m || m[1] !== "target.xml") return "E00";
      const xml = targetXml();
      const off = parseInt(m[2], 16), len = parseInt(m[3], 16);
      const chunk = xml.slice(off, off + len);
      return (off + len >= xml.length ? "l" : "m") + chunk;
    }
    switch (p) {
      case "bs": {
        if (!this.opts.stepBack) return "";
        try {
          this.opts.stepBack();
        } catch {
          return `T${hx(SIGTRAP)}replaylog:begin;thread:01;`; // nothing recorded before here
        }
        return `T${hx(SIGTRAP)}thread:01;`;
      }
      case "bc": {
        if (!this.opts.continueBack) return "";
        let hit = false;
        try {
          hit = this.opts.continueBack();
        } catch {
          // not recording
        }
        return hit ? this.stopReply(this.dbg.reverseStopReason()) : `T${hx(SIGTRAP)}replaylog:begin;thread:01;`;
      }
      case "?": return this.dbg.lastStop?.kind === "exit" ? this.stopReply(this.dbg.lastStop) : `T${hx(SIGTRAP)}thread:01;`;
      case "qAttached": return "1";
      case "qC": return "QC01";
      case "qfThreadInfo": return "m01";
      case "qsThreadInfo": return "l";
      case "qOffsets": return "Text=0;Data=0;Bss=0";
      case "qSymbol::": return "OK";
      case "vCont?": return "vCont;c;C;s;S";
      case "g": {
        let s = "";
        const regs = this.machine.cpu.registers();
        for (let n = 0; n < REG_COUNT; n++) s += this.readReg(n, regs);
        return s;
      }
      case "k":
        dbg.delete();
        dbg.cont();
        this.sock.end();
        return null;
      case "D":
        dbg.delete();
        this.send("OK");
        dbg.cont();
        this.sock.end();
        return null;
    }
    const head = p[0];
    if (p.startsWith("qThreadExtraInfo")) return toHex(Array.from("cpu0", (c) => c.charCodeAt(0)));
    if (p.startsWith("H") || p.startsWith("T")) return "OK";
    if (head === "G") {
      let off = 1;
      for (let n = 0; n < REG_COUNT && off < p.length; n++) {
        const len = regSize(n) * 2;
        this.writeReg(n, p.slice(off, off + len));
        off += len;
      }
      return "OK";
    }
    if (head === "p") {
      const n = parseInt(p.slice(1), 16);
      return n < REG_COUNT ? this.readReg(n) : "E00";
    }
    if (head === "P") {
      const m = /^P([0-9a-fA-F]+)=([0-9a-fA-F]+)$/.exec(p);
      if (!m) return "E00";
      const n = parseInt(m[1], 16);
      if (n >= REG_COUNT) return "E00";
      this.writeReg(n, m[2]);
      return "OK";
    }
    if (head === "m") {
      const m = /^m([0-9a-fA-F]+),([0-9a-fA-F]+)$/.exec(p);
      if (!m) return "E00";
      const len = Math.min(parseInt(m[2], 16), 0x1000);
      const data = readLinear(cpu, parseInt(m[1], 16) >>> 0, len);
      return data ? toHex(data) : "E14";
    }
    if (head === "M") {
      const m = /^M([0-9a-fA-F]+),([0-9a-fA-F]+):([0-9a-fA-F]*)$/.exec(p);
      const data = m ? fromHex(m[3]) : null;
      if (!m || !data || data.length !== parseInt(m[2], 16)) return "E00";
      return writeLinear(cpu, parseInt(m[1], 16) >>> 0, data) ? "OK" : "E14";
    }
    if (head === "Z" || head === "z") {
      const m = /^[Zz]([0-4]),([0-9a-fA-F]+),([0-9a-fA-F]+)/.exec(p);
      if (!m) return "E00";
      const type = +m[1];
      const addr = parseInt(m[2], 16) >>> 0;
      const kind = parseInt(m[3], 16);
      if (type === 0 || type === 1) {
        if (head === "Z") dbg.addBreakpoint(addr);
        else dbg.removeBreakpointAt(addr);
        return "OK";
      }
      if (type === 2) {
        if (kind < 1 || kind > 4) return "E00";
        if (head === "Z") dbg.addWatchpoint(addr, kind);
        else dbg.removeWatchpointAt(addr);
        return "OK";
      }
      return ""; // read/access watchpoints: unsupported
    }
    if (head === "c" || head === "s") return this.resume(head === "s", p.slice(1));
    if (head === "C" || head === "S") return this.resume(head === "S", p.slice(1).split(";")[1] ?? "");
    if (p.startsWith("vCont;")) {
      const actions = p.slice(6).split(";");
      const first = actions[0] ?? "c";
      return this.resume(first[0] === "s" || first[0] === "S", "");
    }
    if (p.startsWith("vKill")) {
      dbg.delete();
      dbg.cont();
      this.sock.end();
      return "OK";
    }
    return ""; // unsupported packet
  }

  /** Continue or single-step, first moving EIP to `addr` (hex) when given. */
  private resume(step: boolean, addr: string): string | null {
    const cpu = this.machine.cpu;
    if (/^[0-9a-fA-F]+$/.test(addr)) cpu.jumpTo(parseInt(addr, 16));
    if (step) {
      return this.stopReply(this.dbg.step(1));
    }
    this.waiting = true;
    this.dbg.cont();
    return null;
  }

  private readReg(n: number, r: CpuRegisters = this.machine.cpu.registers()): string {
    if (n < 8) return le32(r.gp[n]);
    if (n === 8) return le32(r.eip);
    if (n === 9) return le32(r.eflags);
    if (n < 16) return le32(r.seg[SEG_ORDER[n - 10]].sel);
    return "00".repeat(regSize(n));
  }

  private writeReg(n: number, hex: string): void {
    const cpu = this.machine.cpu;
    if (n >= 16) return;
    const v = parseLe32(hex);
    if (Number.isNaN(v)) return;
    if (n < 8) cpu.regs[n] = v | 0;
    else if (n === 8) {
      cpu.jumpTo(v);
    } else if (n === 9) cpu.setEflags(v);
    // segment selectors: a write would need a descriptor load; ignored
  }
}

function hx(n: number): string {
  return n.toString(16).padStart(2, "0");
}
