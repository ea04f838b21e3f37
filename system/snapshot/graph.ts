// A generic object-graph snapshot: class instances (by registered class name),
// plain objects, arrays, Map, Set, ArrayBuffers and their views (two views of
// one buffer stay one buffer), every number (-0, NaN), bigint, strings,
// booleans, null/undefined, shared references and cycles.
//
// The graph is walked breadth first from the root, so every object gets an id
// and a shortest path from the root (parent id + edge). Objects are written in
// two tables: shells (kind, class, parent, edge: enough to create the object)
// and records (its contents, values as tags with ids). Restoring creates every
// shell first, then fills the records, so cycles need nothing special.
//
// What cannot be data (functions, WeakMaps, symbols, unregistered classes,
// native objects) becomes an opaque shell: written with its path, restored as
// undefined, or, when restoring `into` a freshly built graph, as the value
// found at the same path there. `into` also reuses the fresh graph's objects
// at matching paths, so closures the fresh objects hold (which capture them)
// go on pointing at the restored state.
//
// File: "VMSG", version, the graph section (deflated), then large buffers as
// blobs (blob.ts: zero pages dropped, deflated).

import { deflateRawSync, inflateRawSync } from "node:zlib";
import { ClassRegistry, type Constructor } from "./registry.ts";
import { decodeBlob, encodeBlob } from "./blob.ts";

export const GRAPH_VERSION = 1;
const MAGIC = 0x47534d56; // "VMSG"

const enum Kind { Plain = 0, Array = 1, Map = 2, Set = 3, Buffer = 4, SharedBuffer = 5, View = 6, External = 7, Opaque = 8 }
const enum Tag { Undef = 0, Null = 1, False = 2, True = 3, Int = 4, F64 = 5, Str = 6, Ref = 7, Hole = 8, BigInt = 9, Sym = 10 }
const enum Edge { Root = 0, Prop = 1, Index = 2, MapVal = 3, MapKey = 4, SetElem = 5, ViewBuffer = 6, MapValAt = 7 }
/** Class id of an object whose prototype is Object.prototype (or Array/Map/Set.prototype), and of a null prototype. */
const utf8 = new TextEncoder();
const PROTO_BUILTIN = 0;
const PROTO_NULL = 1;
const FLAG_FROZEN = 1;

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type AnyView = ArrayBufferView & { length?: number; constructor: any };
const VIEW_CTORS: (new (b: ArrayBufferLike, o: number, l: number) => ArrayBufferView)[] = [
  Int8Array, Uint8Array, Uint8ClampedArray, Int16Array, Uint16Array, Int32Array, Uint32Array,
  Float32Array, Float64Array, BigInt64Array, BigUint64Array, DataView,
];

/** Something that could not be stored as data, at the shortest path that reaches it. */
export interface OpaqueValue {
  /** E.g. `kernel.tasks.get(3).signal.handlers[10]`. */
  path: string;
  /** The class (or root) holding it and the field path below, indices collapsed: `Kernel.tickHooks[*]`. */
  site: string;
  /** "function", "WeakMap", "symbol", "unregistered class Foo", "accessor", … */
  kind: string;
  /** For a function: its name and the start of its source; else empty. */
  detail: string;
  /** The value itself (tools use it to tell module-level functions from per-object closures). */
  value: unknown;
}

export interface WriteOptions {
  /** Register classes met that the registry lacks, under their own names (census); else they are opaque. */
  autoRegister?: boolean;
  /** Also look for symbol-keyed properties (slower; census). */
  census?: boolean;
  /** ArrayBuffers at least this long are stored as compressed blobs (default 64 KiB). */
  blobThreshold?: number;
  /** zlib level for the graph section and blobs (default 1). */
  level?: number;
}

export interface ClassStat { count: number; bytes: number }

export interface WrittenGraph {
  bytes: Uint8Array;
  objects: number;
  /** Bytes of the graph section before compression, and of buffers before blob encoding. */
  graphBytes: number;
  bufferBytes: number;
  opaque: OpaqueValue[];
  /** Per class (or "Object", "Array", "Map", "Set", "Uint8Array"…): objects and record bytes. */
  classes: Map<string, ClassStat>;
  /** Host milliseconds spent encoding blobs (part of the whole call). */
  blobMs: number;
  /** Classes autoRegister added. */
  autoRegistered: string[];
  /** Node Buffers written as Uint8Array, and other lossy conversions, by path. */
  notes: string[];
}

class ByteWriter {
  buf = new Uint8Array(1 << 16);
  view = new DataView(this.buf.buffer);
  pos = 0;
  /** Makes room for n more bytes. */
  grow(n: number): void {
    if (this.pos + n <= this.buf.length) return;
    let size = this.buf.length * 2;
    while (size < this.pos + n) size *= 2;
    const b = new Uint8Array(size);
    b.set(this.buf.subarray(0, this.pos));
    this.buf = b;
    this.view = new DataView(b.buffer);
  }
  u8(v: number): void {
    this.grow(1);
    this.buf[this.pos++] = v;
  }
  uv(v: number): void {
    this.grow(10);
    while (v >= 0x80) {
      this.buf[this.pos++] = (v % 0x80) | 0x80;
      v = Math.floor(v / 0x80);
    }
    this.buf[this.pos++] = v;
  }
  f64(v: number): void {
    this.grow(8);
    this.view.setFloat64(this.pos, v, true);
    this.pos += 8;
  }
  bytes(b: Uint8Array): void {
    this.grow(b.length);
    this.buf.set(b, this.pos);
    this.pos += b.length;
  }
  done(): Uint8Array {
    return this.buf.subarray(0, this.pos);
  }
}

class ByteReader {
  pos = 0;
  readonly view: DataView;
  constructor(readonly buf: Uint8Array) {
    this.view = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
  }
  u8(): number {
    if (this.pos >= this.buf.length) throw new Error("snapshot: truncated graph");
    return this.buf[this.pos++];
  }
  uv(): number {
    let v = 0;
    let mul = 1;
    for (;;) {
      const b = this.u8();
      v += (b & 0x7f) * mul;
      if (b < 0x80) return v;
      mul *= 0x80;
    }
  }
  f64(): number {
    const v = this.view.getFloat64(this.pos, true);
    this.pos += 8;
    return v;
  }
  bytes(n: number): Uint8Array {
    if (this.pos + n > this.buf.length) throw new Error("snapshot: truncated graph");
    const b = this.buf.subarray(this.pos, this.pos + n);
    this.pos += n;
    return b;
  }
}

function builtinKindName(k: Kind): string {
  return ["Object", "Array", "Map", "Set", "ArrayBuffer", "SharedArrayBuffer", "View", "External", "Opaque"][k];
}

/** How one edge of a path reads: `.field`, `[3]`, `.get(10)`. */
function edgeText(kind: number, key: unknown): string {
  switch (kind) {
    case Edge.Prop: return /^[A-Za-z_$][\w$]*$/.test(key as string) ? `.${key}` : `[${JSON.stringify(key)}]`;
    case Edge.Index: return `[${key}]`;
    case Edge.MapVal: return key === undefined ? ".get(<object>)" : `.get(${typeof key === "string" ? JSON.stringify(key) : String(key)})`;
    case Edge.MapKey: return `.keys()[${key}]`;
    case Edge.SetElem: return `.values()[${key}]`;
    case Edge.MapValAt: return `.values()[${key}]`;
    case Edge.ViewBuffer: return ".buffer";
    default: return "";
  }
}

function describeFunction(f: Function): string {
  const src = Function.prototype.toString.call(f).replace(/\s+/g, " ");
  return `${f.name || "(anonymous)"}: ${src.length > 100 ? src.slice(0, 100) + "…" : src}`;
}

/**
 * Serialises the graph reachable from `root`. Never throws for unstorable
 * values: they become opaque (listed in the result's `opaque`). Precondition:
 * the graph is not mutated during the call (getters run, though).
 */
export function writeGraph(root: unknown, registry: ClassRegistry, options: WriteOptions = {}): WrittenGraph {
  const threshold = options.blobThreshold ?? 64 * 1024;
  const level = options.level ?? 1;
  const census = options.census ?? false;
  const strings = new Map<string, number>();
  const classIds = new Map<string, number>();
  const classNamesOut: string[] = [];
  const ids = new Map<unknown, number>();
  const objs: unknown[] = [];
  const kinds: number[] = [];
  const parents: number[] = [];
  const edgeKinds: number[] = [];
  const edgeKeys: unknown[] = [];
  const classes = new Map<string, ClassStat>();
  const opaque: OpaqueValue[] = [];
  const notes: string[] = [];
  const autoRegistered: string[] = [];
  const blobs: Uint8Array[] = [];
  const strOut = new ByteWriter();
  const shells = new ByteWriter();
  const rec = new ByteWriter();
  let bufferBytes = 0;
  let blobMs = 0;

  const strId = (s: string): number => {
    let id = strings.get(s);
    if (id === undefined) {
      id = strings.size;
      strings.set(s, id);
      const b = utf8.encode(s);
      strOut.uv(b.length);
      strOut.bytes(b);
    }
    return id;
  };
  const classId = (name: string): number => {
    let id = classIds.get(name);
    if (id === undefined) {
      id = classNamesOut.length + 2;
      classIds.set(name, id);
      classNamesOut.push(name);
    }
    return id;
  };
  const stat = (name: string): ClassStat => {
    let s = classes.get(name);
    if (!s) classes.set(name, (s = { count: 0, bytes: 0 }));
    s.count++;
    return s;
  };

  const pathOf = (id: number, tail = ""): string => {
    let p = tail;
    for (let i = id; i > 0; i = parents[i]) p = edgeText(edgeKinds[i], edgeKeys[i]) + p;
    return "root" + p;
  };
  const siteOf = (id: number): string => {
    let p = "";
    let i = id;
    for (; i > 0; i = parents[i]) {
      const k = edgeKinds[i];
      p = (k === Edge.Prop || k === Edge.ViewBuffer ? edgeText(k, edgeKeys[i]) : k === Edge.Index ? "[*]" : k === Edge.MapVal || k === Edge.MapValAt ? ".get(*)" : k === Edge.MapKey ? ".keys()[*]" : ".values()[*]") + p;
      const pk = kinds[parents[i]];
      if (pk === Kind.Plain || pk === Kind.Array || pk === Kind.Map || pk === Kind.Set) {
        const proto = Object.getPrototypeOf(objs[parents[i]]);
        const name = proto === null ? undefined : registry.nameOfPrototype(proto);
        if (name) return name + p;
      }
    }
    return "root" + p;
  };

  const writeShell = (obj: unknown, kind: Kind, cls: number, flags: number, parent: number, ek: Edge, key: unknown): number => {
    const id = objs.length;
    ids.set(obj, id);
    objs.push(obj);
    kinds.push(kind);
    parents.push(parent);
    edgeKinds.push(ek);
    edgeKeys.push(key);
    shells.u8(kind);
    shells.uv(cls);
    shells.u8(flags);
    shells.uv(parent);
    shells.u8(ek);
    if (ek === Edge.Prop) shells.uv(strId(key as string));
    else if (ek === Edge.MapVal) writeKey(key);
    else if (ek !== Edge.Root && ek !== Edge.ViewBuffer) shells.uv(key as number);
    return id;
  };
  /** A primitive map key on a shell's edge (for matching paths on restore). */
  const writeKey = (key: unknown): void => {
    if (typeof key === "string") { shells.u8(Tag.Str); shells.uv(strId(key)); }
    else if (typeof key === "number") { shells.u8(Tag.F64); shells.f64(key); }
    else if (typeof key === "boolean") shells.u8(key ? Tag.True : Tag.False);
    else shells.u8(Tag.Undef); // bigint/null/undefined keys: never matched
  };

  const addOpaque = (value: unknown, kindText: string, detail: string, parent: number, ek: Edge, key: unknown): number => {
    const id = writeShell(value, Kind.Opaque, PROTO_BUILTIN, 0, parent, ek, key);
    shells.uv(strId(kindText));
    opaque.push({ path: pathOf(id), site: siteOf(id), kind: kindText, detail, value });
    stat(`(opaque ${kindText.startsWith("unregistered") ? "class" : kindText})`);
    return id;
  };

  /** The id of object/function/symbol `v`, creating its shell the first time it is met (at parent/edge). */
  const intern = (v: object | symbol, parent: number, ek: Edge, key: unknown): number => {
    const known = ids.get(v);
    if (known !== undefined) return known;
    const ext = registry.externalName(v);
    if (ext !== undefined) {
      const id = writeShell(v, Kind.External, PROTO_BUILTIN, 0, parent, ek, key);
      shells.uv(strId(ext));
      stat("(external)");
      return id;
    }
    if (typeof v === "symbol") return addOpaque(v, "symbol", String(v), parent, ek, key);
    if (typeof v === "function") return addOpaque(v, "function", describeFunction(v), parent, ek, key);
    if (ArrayBuffer.isView(v)) {
      const view = v as AnyView;
      let k = 0;
      while (k < VIEW_CTORS.length && !(view instanceof VIEW_CTORS[k])) k++;
      if (k === VIEW_CTORS.length) return addOpaque(v, `view ${view.constructor?.name}`, "", parent, ek, key);
      const id = writeShell(v, Kind.View, PROTO_BUILTIN, 0, parent, ek, key);
      const count = k === VIEW_CTORS.length - 1 ? view.byteLength : view.length!;
      shells.u8(k);
      shells.uv(ids.get(view.buffer) ?? id + 1); // a new buffer's shell comes right after this one
      shells.uv(view.byteOffset);
      shells.uv(count);
      intern(view.buffer, id, Edge.ViewBuffer, null);
      const proto = Object.getPrototypeOf(v);
      if (proto !== VIEW_CTORS[k].prototype) notes.push(`${pathOf(id)}: ${proto?.constructor?.name} written as ${VIEW_CTORS[k].name}`);
      stat(VIEW_CTORS[k].name);
      return id;
    }
    if (v instanceof ArrayBuffer || (typeof SharedArrayBuffer !== "undefined" && v instanceof SharedArrayBuffer)) {
      const shared = !(v instanceof ArrayBuffer);
      const id = writeShell(v, shared ? Kind.SharedBuffer : Kind.Buffer, PROTO_BUILTIN, 0, parent, ek, key);
      shells.uv(v.byteLength);
      return id;
    }
    const proto = Object.getPrototypeOf(v);
    let kind: Kind;
    let base: object;
    if (Array.isArray(v)) { kind = Kind.Array; base = Array.prototype; }
    else if (v instanceof Map) { kind = Kind.Map; base = Map.prototype; }
    else if (v instanceof Set) { kind = Kind.Set; base = Set.prototype; }
    else { kind = Kind.Plain; base = Object.prototype; }
    let cls = PROTO_BUILTIN;
    if (proto === null) cls = PROTO_NULL;
    else if (proto !== base) {
      let name = registry.nameOfPrototype(proto);
      if (name === undefined) {
        const ctor = proto.constructor as Constructor | undefined;
        const native = kind === Kind.Plain && (typeof ctor !== "function" || ctor.prototype !== proto || /\{\s*\[native code\]\s*\}$/.test(Function.prototype.toString.call(ctor)));
        if (native) return addOpaque(v, ctor?.name || "native object", "", parent, ek, key);
        if (!options.autoRegister) return addOpaque(v, `unregistered class ${ctor!.name}`, "", parent, ek, key);
        name = registry.addUnique(ctor!);
        autoRegistered.push(name);
      }
      cls = classId(name);
    }
    const flags = kind === Kind.Plain && Object.isFrozen(v) ? FLAG_FROZEN : 0;
    return writeShell(v, kind, cls, flags, parent, ek, key);
  };

  /** Writes value `v` found at (parent, edge) into the current record. */
  const value = (v: unknown, parent: number, ek: Edge, key: unknown): void => {
    switch (typeof v) {
      case "undefined": rec.u8(Tag.Undef); return;
      case "boolean": rec.u8(v ? Tag.True : Tag.False); return;
      case "number":
        if (Number.isInteger(v) && v >= -0x80000000 && v <= 0x7fffffff && !Object.is(v, -0)) {
          rec.u8(Tag.Int);
          rec.uv(v >= 0 ? v * 2 : -v * 2 - 1);
        } else { rec.u8(Tag.F64); rec.f64(v); }
        return;
      case "string": rec.u8(Tag.Str); rec.uv(strId(v)); return;
      case "bigint": rec.u8(Tag.BigInt); rec.uv(strId(v.toString())); return;
      default:
        if (v === null) { rec.u8(Tag.Null); return; }
        rec.u8(Tag.Ref);
        rec.uv(intern(v as object, parent, ek, key));
    }
  };

  const writeRecord = (id: number): void => {
    const obj = objs[id];
    const kind = kinds[id];
    const start = rec.pos;
    switch (kind) {
      case Kind.Plain: {
        const o = obj as Record<string, unknown>;
        const keys = Object.keys(o);
        rec.uv(keys.length);
        for (const k of keys) {
          rec.uv(strId(k));
          value(o[k], id, Edge.Prop, k);
        }
        if (census) {
          for (const s of Object.getOwnPropertySymbols(o)) {
            opaque.push({ path: pathOf(id, `[${String(s)}]`), site: siteOf(id) + `[${String(s)}]`, kind: "symbol-keyed property", detail: typeof (o as never)[s], value: (o as never)[s] });
          }
        }
        break;
      }
      case Kind.Array: {
        const a = obj as unknown[];
        rec.uv(a.length);
        for (let i = 0; i < a.length; i++) {
          if (!(i in a)) rec.u8(Tag.Hole);
          else value(a[i], id, Edge.Index, i);
        }
        break;
      }
      case Kind.Map: {
        const m = obj as Map<unknown, unknown>;
        rec.uv(m.size);
        let i = 0;
        for (const [k, v] of m) {
          value(k, id, Edge.MapKey, i);
          if (typeof k === "object" || typeof k === "function" || typeof k === "symbol") value(v, id, Edge.MapValAt, i);
          else value(v, id, Edge.MapVal, k);
          i++;
        }
        break;
      }
      case Kind.Set: {
        const s = obj as Set<unknown>;
        rec.uv(s.size);
        let i = 0;
        for (const v of s) value(v, id, Edge.SetElem, i++);
        break;
      }
      case Kind.Buffer:
      case Kind.SharedBuffer: {
        const b = new Uint8Array(obj as ArrayBufferLike);
        bufferBytes += b.length;
        if (b.length >= threshold) {
          rec.u8(1);
          rec.uv(blobs.length);
          const t = performance.now();
          blobs.push(encodeBlob(b, level));
          blobMs += performance.now() - t;
        } else {
          rec.u8(0);
          rec.bytes(b);
        }
        stat(builtinKindName(kind)).bytes += rec.pos - start;
        return;
      }
      default:
        return; // views, externals, opaque: the shell says it all
    }
    const proto = Object.getPrototypeOf(obj);
    stat((proto && registry.nameOfPrototype(proto)) ?? builtinKindName(kind)).bytes += rec.pos - start;
  };

  // the root value, then every object in id order (new ones are appended while writing)
  const rootRec = new ByteWriter();
  if (typeof root === "object" && root !== null) {
    intern(root, 0, Edge.Root, null);
    rootRec.u8(Tag.Ref);
    rootRec.uv(0);
  } else {
    const saved = rec.pos;
    value(root, 0, Edge.Root, null);
    rootRec.bytes(rec.buf.subarray(saved, rec.pos));
    rec.pos = saved;
  }
  for (let id = 0; id < objs.length; id++) writeRecord(id);

  const namesText = new ByteWriter();
  namesText.uv(classNamesOut.length);
  for (const n of classNamesOut) {
    const b = utf8.encode(n);
    namesText.uv(b.length);
    namesText.bytes(b);
  }
  const graph = new ByteWriter();
  graph.uv(strings.size);
  graph.bytes(strOut.done());
  graph.bytes(namesText.done());
  graph.uv(objs.length);
  graph.bytes(shells.done());
  graph.bytes(rec.done());
  graph.bytes(rootRec.done());
  const graphRaw = graph.done();
  const packed = deflateRawSync(graphRaw, { level });

  const out = new ByteWriter();
  out.grow(16 + packed.length + blobs.reduce((n, b) => n + b.length + 4, 0));
  out.view.setUint32(0, MAGIC, true);
  out.view.setUint32(4, GRAPH_VERSION, true);
  out.view.setUint32(8, packed.length, true);
  out.view.setUint32(12, blobs.length, true);
  out.pos = 16;
  out.bytes(packed);
  for (const b of blobs) {
    out.view.setUint32(out.pos, b.length, true);
    out.pos += 4;
    out.bytes(b);
  }
  return { bytes: out.done(), objects: objs.length, graphBytes: graphRaw.length, bufferBytes, blobMs, opaque, classes, autoRegistered, notes };
}

export interface ReadOptions {
  /**
   * A freshly built graph of the same shape (a new Machine with the same options): objects at
   * the same paths are reused and refilled, and opaque values (closures) are taken from it.
   */
  into?: unknown;
}

export interface ReadGraph {
  value: unknown;
  objects: number;
  /** Objects reused from `into`. */
  reused: number;
  /** Host milliseconds spent decoding blobs. */
  blobMs: number;
  /** Paths of opaque values that `into` did not supply (restored as undefined). */
  unresolved: string[];
}

/** Listings of the live Maps and Sets that restoring looked into by position (keys or elements, values). */
interface Listings {
  keys: Map<object, unknown[]>;
  values: Map<object, unknown[]>;
}

/** The n-th entry of `list(holder)`, listing each holder once. */
function nth(cache: Map<object, unknown[]>, holder: object, list: () => unknown[], n: number): unknown {
  let l = cache.get(holder);
  if (!l) cache.set(holder, (l = list()));
  return l[n];
}

/** The value at one edge below `holder` in a live graph, or undefined. */
function follow(holder: unknown, ek: number, key: unknown, cache: Listings): unknown {
  if (holder === null || (typeof holder !== "object" && typeof holder !== "function")) return undefined;
  switch (ek) {
    case Edge.Prop:
      return Object.prototype.hasOwnProperty.call(holder, key as string) ? (holder as Record<string, unknown>)[key as string] : undefined;
    case Edge.Index:
      return Array.isArray(holder) ? holder[key as number] : undefined;
    case Edge.MapVal:
      return holder instanceof Map && key !== undefined ? holder.get(key) : undefined;
    case Edge.ViewBuffer:
      return ArrayBuffer.isView(holder) ? holder.buffer : undefined;
    case Edge.MapKey:
      return holder instanceof Map ? nth(cache.keys, holder, () => [...holder.keys()], key as number) : undefined;
    case Edge.MapValAt:
      return holder instanceof Map ? nth(cache.values, holder, () => [...holder.values()], key as number) : undefined;
    case Edge.SetElem:
      return holder instanceof Set ? nth(cache.keys, holder, () => [...holder], key as number) : undefined;
    default:
      return undefined;
  }
}

/**
 * Restores writeGraph's output. Classes are found in `registry` by name
 * (throws for an unknown class, a bad magic, version or truncated data).
 * Restored instances get their prototype and own properties; constructors do
 * not run.
 */
export function readGraph(bytes: Uint8Array, registry: ClassRegistry, options: ReadOptions = {}): ReadGraph {
  const fileView = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (bytes.length < 16 || fileView.getUint32(0, true) !== MAGIC) throw new Error("snapshot: not a vmalab object graph");
  const version = fileView.getUint32(4, true);
  if (version !== GRAPH_VERSION) throw new Error(`snapshot: graph version ${version}, this build reads ${GRAPH_VERSION}`);
  const packedLen = fileView.getUint32(8, true);
  const blobCount = fileView.getUint32(12, true);
  const blobs: Uint8Array[] = [];
  let bp = 16 + packedLen;
  for (let i = 0; i < blobCount; i++) {
    if (bp + 4 > bytes.length) throw new Error("snapshot: truncated blobs");
    const n = fileView.getUint32(bp, true);
    blobs.push(bytes.subarray(bp + 4, bp + 4 + n));
    bp += 4 + n;
  }
  const r = new ByteReader(inflateRawSync(bytes.subarray(16, 16 + packedLen)));
  const decoder = new TextDecoder();
  const strs: string[] = new Array(r.uv());
  for (let i = 0; i < strs.length; i++) strs[i] = decoder.decode(r.bytes(r.uv()));
  const protos: (object | null)[] = [null, null];
  const nClasses = r.uv();
  for (let i = 0; i < nClasses; i++) {
    const name = decoder.decode(r.bytes(r.uv()));
    const p = registry.prototypeOf(name);
    if (!p) throw new Error(`snapshot: class ${name} is not registered`);
    protos.push(p);
  }

  const count = r.uv();
  const objs: unknown[] = new Array(count);
  const kinds = new Uint8Array(count);
  const flags = new Uint8Array(count);
  const reusedFlag = new Uint8Array(count);
  const candidates: unknown[] = new Array(count);
  const views: { id: number; k: number; buf: number; off: number; len: number }[] = [];
  const unresolved: string[] = [];
  const parents = new Uint32Array(count);
  const edges: string[] = new Array(count);
  const pathOf = (id: number): string => {
    let p = "";
    for (let i = id; i > 0; i = parents[i]) p = edges[i] + p;
    return "root" + p;
  };
  const used = new Set<unknown>();
  const listings: Listings = { keys: new Map(), values: new Map() };
  const into = options.into;
  let reused = 0;
  let blobMs = 0;

  const readKey = (): unknown => {
    const t = r.u8();
    return t === Tag.Str ? strs[r.uv()] : t === Tag.F64 ? r.f64() : t === Tag.True ? true : t === Tag.False ? false : undefined;
  };
  const take = (id: number, obj: unknown): void => {
    objs[id] = obj;
    used.add(obj);
    reusedFlag[id] = 1;
    reused++;
  };

  for (let id = 0; id < count; id++) {
    const kind = r.u8();
    const cls = r.uv();
    kinds[id] = kind;
    flags[id] = r.u8();
    const parent = r.uv();
    const ek = r.u8();
    const key = ek === Edge.Prop ? strs[r.uv()] : ek === Edge.MapVal ? readKey() : ek === Edge.Root || ek === Edge.ViewBuffer ? null : r.uv();
    parents[id] = parent;
    edges[id] = edgeText(ek, key);
    let cand: unknown = undefined;
    if (into !== undefined) {
      if (id === 0) cand = into;
      else {
        const holder = kinds[parent] === Kind.View ? candidates[parent] : objs[parent];
        if (holder !== undefined && (kinds[parent] === Kind.View || reusedFlag[parent])) cand = follow(holder, ek, key, listings);
      }
      if (used.has(cand)) cand = undefined;
    }
    const proto = cls === PROTO_BUILTIN ? null : protos[cls];
    if (cls >= protos.length) throw new Error("snapshot: bad class id");
    switch (kind) {
      case Kind.Plain:
      case Kind.Array:
      case Kind.Map:
      case Kind.Set: {
        const base = kind === Kind.Plain ? Object.prototype : kind === Kind.Array ? Array.prototype : kind === Kind.Map ? Map.prototype : Set.prototype;
        const wantProto = cls === PROTO_BUILTIN ? base : proto;
        if (cand !== undefined && cand !== null && typeof cand === "object" && Object.getPrototypeOf(cand) === wantProto && !Object.isFrozen(cand)) {
          take(id, cand);
          break;
        }
        let o: object;
        if (kind === Kind.Plain) o = Object.create(wantProto);
        else {
          o = kind === Kind.Array ? [] : kind === Kind.Map ? new Map() : new Set();
          if (cls !== PROTO_BUILTIN) Object.setPrototypeOf(o, wantProto);
        }
        objs[id] = o;
        break;
      }
      case Kind.Buffer:
      case Kind.SharedBuffer: {
        const n = r.uv();
        const shared = kind === Kind.SharedBuffer;
        if (cand !== undefined && (shared ? cand instanceof SharedArrayBuffer : cand instanceof ArrayBuffer) && (cand as ArrayBuffer).byteLength === n) take(id, cand);
        else objs[id] = shared ? new SharedArrayBuffer(n) : new ArrayBuffer(n);
        break;
      }
      case Kind.View: {
        const k = r.u8();
        const buf = r.uv();
        const off = r.uv();
        const len = r.uv();
        if (k >= VIEW_CTORS.length) throw new Error("snapshot: bad view kind");
        candidates[id] = cand;
        views.push({ id, k, buf, off, len });
        break;
      }
      case Kind.External: {
        const name = strs[r.uv()];
        if (!registry.hasExternal(name)) throw new Error(`snapshot: external ${name} is not registered`);
        objs[id] = registry.externalValue(name);
        break;
      }
      case Kind.Opaque: {
        const what = strs[r.uv()];
        if (cand !== undefined) take(id, cand);
        else unresolved.push(`${pathOf(id)} (${what})`);
        break;
      }
      default:
        throw new Error(`snapshot: bad object kind ${kind}`);
    }
  }
  // views once their buffers exist (a view's buffer is its child in the walk)
  for (const v of views) {
    const cand = candidates[v.id] as AnyView | undefined;
    const buffer = objs[v.buf] as ArrayBuffer;
    const ctor = VIEW_CTORS[v.k];
    const len = cand && (v.k === VIEW_CTORS.length - 1 ? cand.byteLength : cand.length);
    if (cand && Object.getPrototypeOf(cand) === ctor.prototype && cand.buffer === buffer && cand.byteOffset === v.off && len === v.len && !used.has(cand)) take(v.id, cand);
    else objs[v.id] = new ctor(buffer, v.off, v.len);
  }

  const value = (): unknown => {
    const t = r.u8();
    switch (t) {
      case Tag.Undef: return undefined;
      case Tag.Null: return null;
      case Tag.False: return false;
      case Tag.True: return true;
      case Tag.Int: { const z = r.uv(); return z % 2 === 0 ? z / 2 : -(z + 1) / 2; }
      case Tag.F64: return r.f64();
      case Tag.Str: return strs[r.uv()];
      case Tag.BigInt: return BigInt(strs[r.uv()]);
      case Tag.Ref: {
        const id = r.uv();
        if (id >= count) throw new Error("snapshot: bad object reference");
        return objs[id];
      }
      default: throw new Error(`snapshot: bad value tag ${t}`);
    }
  };

  for (let id = 0; id < count; id++) {
    const obj = objs[id];
    switch (kinds[id]) {
      case Kind.Plain: {
        const o = obj as Record<string, unknown>;
        for (let n = r.uv(); n > 0; n--) {
          const k = strs[r.uv()];
          o[k] = value();
        }
        break;
      }
      case Kind.Array: {
        const a = obj as unknown[];
        const n = r.uv();
        a.length = 0;
        a.length = n;
        for (let i = 0; i < n; i++) {
          if (r.buf[r.pos] === Tag.Hole) { r.pos++; continue; }
          a[i] = value();
        }
        break;
      }
      case Kind.Map: {
        const m = obj as Map<unknown, unknown>;
        m.clear();
        for (let n = r.uv(); n > 0; n--) {
          const k = value();
          m.set(k, value());
        }
        break;
      }
      case Kind.Set: {
        const s = obj as Set<unknown>;
        s.clear();
        for (let n = r.uv(); n > 0; n--) s.add(value());
        break;
      }
      case Kind.Buffer:
      case Kind.SharedBuffer: {
        const dst = new Uint8Array(obj as ArrayBufferLike);
        if (r.u8() === 1) {
          const blob = blobs[r.uv()];
          if (!blob) throw new Error("snapshot: missing blob");
          const t = performance.now();
          decodeBlob(blob, dst);
          blobMs += performance.now() - t;
        } else dst.set(r.bytes(dst.length));
        break;
      }
    }
  }
  const root = value();
  for (let id = 0; id < count; id++) if (flags[id] & FLAG_FROZEN) Object.freeze(objs[id]);

  return { value: root, objects: count, reused, blobMs, unresolved };
}
