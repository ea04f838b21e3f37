import { describe, it, expect } from "vitest";
import { EscapeFilter } from "../../cli/escape.ts";

describe("Ctrl-A escape", () => {
  const make = () => {
    const log: string[] = [];
    const f = new EscapeFilter({ quit: () => log.push("quit"), help: () => log.push("help"), monitor: () => log.push("monitor") });
    return { f, log };
  };

  it("passes ordinary bytes through", () => {
    const { f, log } = make();
    expect(Array.from(f.filter(Uint8Array.from([0x61, 0x03, 0x0d])))).toEqual([0x61, 0x03, 0x0d]);
    expect(log).toEqual([]);
  });

  it("runs x, h, c and sends a literal Ctrl-A for Ctrl-A Ctrl-A", () => {
    const { f, log } = make();
    expect(Array.from(f.filter(Uint8Array.from([0x01, 0x68, 0x41, 0x01, 0x01, 0x01, 0x63, 0x01, 0x78])))).toEqual([0x41, 0x01]);
    expect(log).toEqual(["help", "monitor", "quit"]);
  });

  it("keeps the escape armed across input chunks and drops unknown commands", () => {
    const { f, log } = make();
    expect(Array.from(f.filter(Uint8Array.from([0x62, 0x01])))).toEqual([0x62]);
    expect(Array.from(f.filter(Uint8Array.from([0x78])))).toEqual([]);
    expect(log).toEqual(["quit"]);
    expect(Array.from(f.filter(Uint8Array.from([0x01, 0x7a, 0x7a])))).toEqual([0x7a]);
  });
});
