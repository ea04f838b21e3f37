// The object-graph snapshot (system/snapshot/graph.ts) on synthetic graphs:
// what goes in comes out with the same shape, identities and prototypes.

import { describe, expect, it } from "vitest";
import { ClassRegistry } from "../../system/snapshot/registry.ts";
import { readGraph, writeGraph } from "../../system/snapshot/graph.ts";
import { decodeBlob, encodeBlob } from "../../system/snapshot/blob.ts";

class Point {
  constructor(public x: number, public y: number) {}
  sum(): number {
    return this.x + this.y;
  }
}
class Node2 {
  next: Node2 | null = null;
  constructor(readonly name: string) {}
}

const registry = () => new ClassRegistry([Point, Node2]);
function roundTrip<T>(v: T, reg = registry()): T {
  const w = writeGraph(v, reg);
  expect(w.opaque).toEqual([]);
  return readGraph(w.bytes, reg).value as T;
}

describe("object graph snapshot", () => {
  it("keeps primitives, including -0, NaN, bigint and unicode", () => {
    const v = { a: -0, b: NaN, c: Infinity, d: 2 ** 40 + 0.5, e: -7, f: 123n, g: "héllo ✓", h: null, i: undefined, j: true, k: false, l: -(2 ** 31) };
    const r = roundTrip(v);
    expect(Object.is(r.a, -0)).toBe(true);
    expect(r.b).toBeNaN();
    expect(r).toEqual(v);
    expect("i" in r).toBe(true);
    expect(roundTrip(42)).toBe(42);
    expect(roundTrip("s")).toBe("s");
  });

  it("keeps cycles and shared references", () => {
    const a = new Node2("a");
    const b = new Node2("b");
    a.next = b;
    b.next = a;
    const shared = { tag: 1 };
    const r = roundTrip({ a, list: [a, b, shared], again: shared });
    expect(r.a.next!.next).toBe(r.a);
    expect(r.list[0]).toBe(r.a);
    expect(r.list[2]).toBe(r.again);
  });

  it("restores class instances with their prototype and working methods", () => {
    const r = roundTrip({ p: new Point(2, 3) });
    expect(r.p).toBeInstanceOf(Point);
    expect(r.p.sum()).toBe(5);
  });

  it("keeps Maps with object keys, Sets and sparse arrays", () => {
    const k1 = new Point(1, 1);
    const m = new Map<unknown, unknown>([[k1, "one"], ["s", k1], [3, [1, 2]]]);
    const s = new Set<unknown>([k1, "x", 5]);
    const sparse: number[] = [];
    sparse[3] = 9;
    const r = roundTrip({ m, s, k1, sparse });
    expect(r.m.get(r.k1)).toBe("one");
    expect(r.m.get("s")).toBe(r.k1);
    expect(r.m.get(3)).toEqual([1, 2]);
    expect([...r.m.keys()][0]).toBe(r.k1);
    expect(r.s.has(r.k1) && r.s.has("x") && r.s.has(5)).toBe(true);
    expect(r.sparse.length).toBe(4);
    expect(1 in r.sparse).toBe(false);
    expect(r.sparse[3]).toBe(9);
  });

  it("keeps two views of one buffer on one buffer, with offsets", () => {
    const regs = new Int32Array(8);
    const reg8 = new Uint8Array(regs.buffer);
    const tail = new Uint16Array(regs.buffer, 8, 4);
    const f = new Float64Array([1.5, -0, NaN]);
    const big = new BigInt64Array([-5n]);
    const dv = new DataView(regs.buffer, 4, 8);
    regs[0] = -2;
    regs[2] = 0x12345678;
    const r = roundTrip({ regs, reg8, tail, f, big, dv });
    expect(r.reg8.buffer).toBe(r.regs.buffer);
    expect(r.tail.buffer).toBe(r.regs.buffer);
    expect(r.dv.buffer).toBe(r.regs.buffer);
    expect([r.tail.byteOffset, r.tail.length, r.dv.byteOffset, r.dv.byteLength]).toEqual([8, 4, 4, 8]);
    expect(r.regs[0]).toBe(-2);
    r.reg8[0] = 7;
    expect(r.regs[0] & 0xff).toBe(7);
    expect(r.tail[0]).toBe(0x5678);
    expect(Object.is(r.f[1], -0)).toBe(true);
    expect(r.f[2]).toBeNaN();
    expect(r.big[0]).toBe(-5n);
  });

  it("stores a large mostly-zero buffer as a compressed blob", () => {
    const ram = new Uint8Array(8 << 20);
    ram[5] = 1;
    ram[(4 << 20) + 77] = 0xaa;
    const w = writeGraph({ ram }, registry());
    expect(w.bytes.length).toBeLessThan(10_000);
    const r = readGraph(w.bytes, registry()).value as { ram: Uint8Array };
    expect(r.ram.length).toBe(ram.length);
    expect(r.ram[5]).toBe(1);
    expect(r.ram[(4 << 20) + 77]).toBe(0xaa);
    expect(Buffer.compare(r.ram, ram)).toBe(0);
  });

  it("encodes blobs of odd lengths and offsets", () => {
    const backing = new Uint8Array(3 * 4096 + 11);
    backing.fill(3, 4096 + 5, 4096 + 9);
    backing[backing.length - 1] = 9;
    const part = backing.subarray(1);
    expect(Buffer.compare(decodeBlob(encodeBlob(part)), part)).toBe(0);
  });

  it("keeps frozen objects frozen and externals identical", () => {
    const SENTINEL = Object.freeze({ wouldBlock: true });
    const sym = Symbol("tag");
    const reg = registry();
    reg.addExternal("SENTINEL", SENTINEL);
    reg.addExternal("tag", sym);
    const r = roundTrip({ s: SENTINEL, t: sym, f: Object.freeze({ a: 1 }) }, reg);
    expect(r.s).toBe(SENTINEL);
    expect(r.t).toBe(sym);
    expect(Object.isFrozen(r.f)).toBe(true);
  });

  it("reports what it cannot store, with paths, instead of throwing", () => {
    class Unlisted {
      v = 1;
    }
    const task = { signal: { handlers: new Map<number, unknown>([[10, () => 1]]) } };
    const root = { kernel: { tasks: [task, task], hooks: [function tick() {}], weak: new WeakMap(), u: new Unlisted(), sym: Symbol("s") } };
    const w = writeGraph(root, registry(), { census: true });
    const paths = w.opaque.map((o) => `${o.path} ${o.kind}`);
    expect(paths).toContain("root.kernel.tasks[0].signal.handlers.get(10) function");
    expect(paths).toContain("root.kernel.hooks[0] function");
    expect(paths).toContain("root.kernel.weak WeakMap");
    expect(paths).toContain("root.kernel.u unregistered class Unlisted");
    expect(paths).toContain("root.kernel.sym symbol");
    expect(w.opaque.find((o) => o.kind === "function" && o.path.endsWith("[0]"))!.detail).toMatch(/^tick: function tick/);
    const r = readGraph(w.bytes, registry());
    expect((r.value as typeof root).kernel.hooks).toEqual([undefined]);
    expect(r.unresolved.length).toBe(w.opaque.length);
    const auto = writeGraph(root, registry(), { autoRegister: true });
    expect(auto.autoRegistered).toEqual(["Unlisted"]);
  });

  it("restores into a fresh graph: reuses its objects and keeps its closures", () => {
    class Dev {
      level = 0;
      readonly regs = new Uint8Array(4);
      readonly raise = () => this.level++;
    }
    const reg = new ClassRegistry([Dev]);
    const make = () => {
      const dev = new Dev();
      return { dev, events: [] as { due: number; cb: () => void }[] };
    };
    const old = make();
    old.dev.level = 5;
    old.dev.regs[2] = 9;
    old.events.push({ due: 100, cb: old.dev.raise });
    const w = writeGraph(old, reg);
    const fresh = make();
    const freshDev = fresh.dev;
    const r = readGraph(w.bytes, reg, { into: fresh });
    expect(r.value).toBe(fresh);
    expect(r.unresolved).toEqual([]);
    expect(fresh.dev).toBe(freshDev);
    expect(fresh.dev.level).toBe(5);
    expect(fresh.dev.regs[2]).toBe(9);
    expect(fresh.events[0].cb).toBe(freshDev.raise);
    fresh.events[0].cb();
    expect(fresh.dev.level).toBe(6);
  });

  it("rejects foreign and truncated data with a message", () => {
    expect(() => readGraph(new Uint8Array(20), registry())).toThrow(/not a vmalab object graph/);
    const w = writeGraph({ p: new Point(1, 2) }, registry());
    expect(() => readGraph(w.bytes, new ClassRegistry())).toThrow(/class Point is not registered/);
    expect(() => readGraph(w.bytes.subarray(0, 20), registry())).toThrow();
  });
});
