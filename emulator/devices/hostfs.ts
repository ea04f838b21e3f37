// The host-folder device (docs/hostfs.md): shares host directories with the
// guest through a request/response protocol of its own (hostfs-protocol.ts),
// answered synchronously when the driver writes a request block's physical
// address to the device's port, so the same folder contents give the same
// guest cycles. The device names files by node numbers (as 9P names them by
// fids): a node is one host file (one dev/ino) reached by a path of checked
// components inside its share; it never composes "..", and its backend
// never lets the host follow a symlink, so no request reaches outside the
// shared folder. It knows nothing of the kernel that drives it.

import type { IoPorts } from "../io/ports.ts";
import type { PhysicalMemory } from "../memory/physmem.ts";
import type { Clock } from "../machine/clock.ts";
import type { HostShare, HostStat } from "./hostfs-backend.ts";
import {
  Attr, DIRENT_HEADER, HOSTFS_DATA_CYCLES_PER_4B, HOSTFS_MAGIC, HOSTFS_MAX_PAGES, HOSTFS_NAME_MAX, HOSTFS_PORT,
  HOSTFS_PORT_COUNT, HOSTFS_PORT_SHARES, HOSTFS_REQUEST_CYCLES, HostFsOp, LinuxErrno as E, Req, SETATTR_ATIME,
  SETATTR_MODE, SETATTR_MTIME, SETATTR_SIZE, SHARE_RO,
} from "./hostfs-protocol.ts";

const S_IFMT = 0o170000;

interface Node {
  share: number;
  path: string[];
  key: string;
  /** Backend handle while the guest holds the file open (OPEN..CLOSE), else -1. */
  handle: number;
  writable: boolean;
  opens: number;
}

/** Requests and data live in RAM above the first MiB (no ROM, no MMIO there), whole pages. */
const LOW_MEMORY_END = 0x10_0000;
function plainPage(mem: PhysicalMemory, pa: number): boolean {
  return pa % 4096 === 0 && pa >= LOW_MEMORY_END && pa + 4096 <= mem.ramSize;
}

/** Everything a request reads from and writes to its block and data pages. */
export class Request {
  readonly block: Uint8Array;
  readonly v: DataView;
  constructor(
    private readonly mem: PhysicalMemory,
    readonly pa: number,
  ) {
    this.block = mem.ram.slice(pa, pa + Req.SIZE);
    this.v = new DataView(this.block.buffer);
  }
  u32(off: number): number {
    return this.v.getUint32(off, true);
  }
  offset(): number {
    return this.u32(Req.OFFSET_LO) + this.u32(Req.OFFSET_HI) * 0x1_0000_0000;
  }
  /** The name at NAME1/NAME2, or -errno when it is not a plain component. */
  name(at: number): string | number {
    const len = this.v.getUint16(at, true);
    if (len === 0) return -E.ENOENT;
    if (len > HOSTFS_NAME_MAX) return -E.ENAMETOOLONG;
    let s = "";
    for (let i = 0; i < len; i++) s += String.fromCharCode(this.block[at + 2 + i]);
    if (s === "." || s === ".." || s.includes("/") || s.includes("\0")) return -E.EINVAL;
    return s;
  }
  setName(at: number, s: string): void {
    const n = Math.min(s.length, 255);
    this.v.setUint16(at, n, true);
    for (let i = 0; i < n; i++) this.block[at + 2 + i] = s.charCodeAt(i) & 0xff;
  }
  /** The data pages' physical addresses, or -EFAULT if one is not a whole page of RAM. */
  pages(need: number): number[] | number {
    const n = this.u32(Req.NPAGES);
    if (n > HOSTFS_MAX_PAGES || need > n * 4096) return -E.EFAULT;
    const out: number[] = [];
    for (let i = 0; i < n; i++) {
      const pa = this.u32(Req.PAGES + 4 * i);
      if (!plainPage(this.mem, pa)) return -E.EFAULT;
      out.push(pa);
    }
    return out;
  }
  readData(pages: number[], len: number): Uint8Array {
    const out = new Uint8Array(len);
    for (let i = 0, done = 0; done < len; i++, done += 4096) out.set(this.mem.ram.subarray(pages[i], pages[i] + Math.min(4096, len - done)), done);
    return out;
  }
  writeData(pages: number[], data: Uint8Array): void {
    for (let i = 0, done = 0; done < data.length; i++, done += 4096) this.mem.writeBytes(pages[i], data.subarray(done, done + 4096));
  }
  commit(result: number): void {
    this.v.setInt32(Req.RESULT, result, true);
    this.mem.writeBytes(this.pa, this.block);
  }
}

export class HostFsDevice {
  private readonly nodes = new Map<number, Node>();
  private readonly byKey = new Map<string, number>();
  private nextNode = 1;
  /** Requests served (for tests and benchmarks). */
  requests = 0;

  constructor(
    io: IoPorts,
    private readonly mem: PhysicalMemory,
    private readonly clock: Clock,
    private readonly shares: readonly HostShare[],
  ) {
    io.register(HOSTFS_PORT, HOSTFS_PORT_COUNT, {
      in32: (port) => (port === HOSTFS_PORT ? HOSTFS_MAGIC : port === HOSTFS_PORT_SHARES ? shares.length : -1),
      out32: (port, value) => {
        if (port === HOSTFS_PORT) this.run(value >>> 0);
      },
    });
  }

  /** Runs the request block at physical address pa (ignored unless it is a whole page of RAM). */
  private run(pa: number): void {
    if (!plainPage(this.mem, pa)) return;
    this.requests++;
    const req = new Request(this.mem, pa);
    let moved = 0;
    let r: number;
    try {
      const out = this.dispatch(req);
      r = out.result;
      moved = out.moved;
    } catch {
      r = -E.EIO; // a backend must not throw; if one does, the guest sees EIO, never a host exception
    }
    this.clock.cycles += HOSTFS_REQUEST_CYCLES + HOSTFS_DATA_CYCLES_PER_4B * Math.ceil(moved / 4);
    req.commit(r);
  }

  private dispatch(req: Request): { result: number; moved: number } {
    const op = req.u32(Req.OP);
    const done = (result: number, moved = 0) => ({ result, moved });
    if (op === HostFsOp.ATTACH) return done(this.attach(req));
    const node = this.nodes.get(req.u32(Req.NODE));
    if (node === undefined) return done(-E.ESTALE);
    const share = this.shares[node.share];
    const b = share.backend;
    const ro = share.readOnly;
    switch (op) {
      case HostFsOp.LOOKUP: {
        const name = req.name(Req.NAME1);
        if (typeof name === "number") return done(name);
        return done(this.statInto(req, node.share, [...node.path, name]));
      }
      case HostFsOp.GETATTR:
        return done(this.refresh(req, node));
      case HostFsOp.READ: {
        const count = req.u32(Req.COUNT);
        const pages = req.pages(count);
        if (typeof pages === "number") return done(pages);
        const buf = new Uint8Array(count);
        const n = this.withHandle(node, false, (h) => b.read(h, req.offset(), buf));
        if (n > 0) req.writeData(pages, buf.subarray(0, n));
        return done(n, Math.max(n, 0));
      }
      case HostFsOp.WRITE: {
        if (ro) return done(-E.EROFS);
        const count = req.u32(Req.COUNT);
        const pages = req.pages(count);
        if (typeof pages === "number") return done(pages);
        const data = req.readData(pages, count);
        const n = this.withHandle(node, true, (h) => b.write(h, req.offset(), data));
        if (n >= 0) this.refresh(req, node);
        return done(n, Math.max(n, 0));
      }
      case HostFsOp.CREATE:
      case HostFsOp.MKDIR:
      case HostFsOp.SYMLINK:
      case HostFsOp.LINK:
        return done(this.make(req, node, op));
      case HostFsOp.UNLINK: {
        if (ro) return done(-E.EROFS);
        const name = req.name(Req.NAME1);
        if (typeof name === "number") return done(name);
        const path = [...node.path, name];
        return done(req.u32(Req.ARG0) === 1 ? b.rmdir(path) : b.unlink(path));
      }
      case HostFsOp.RENAME:
        return done(this.rename(req, node));
      case HostFsOp.READLINK: {
        const t = b.readlink(node.path);
        if (typeof t === "number") return done(t);
        const bytes = Uint8Array.from(t, (c) => c.charCodeAt(0) & 0xff);
        const n = Math.min(bytes.length, req.u32(Req.COUNT));
        const pages = req.pages(n);
        if (typeof pages === "number") return done(pages);
        req.writeData(pages, bytes.subarray(0, n));
        return done(n, n);
      }
      case HostFsOp.READDIR:
        return this.readdir(req, node);
      case HostFsOp.SETATTR:
        return done(this.setattr(req, node));
      case HostFsOp.OPEN: {
        const write = req.u32(Req.ARG0) === 1;
        if (write && ro) return done(-E.EROFS);
        const r = this.ensureHandle(node, write);
        if (r < 0) return done(r);
        node.opens++;
        return done(0);
      }
      case HostFsOp.CLOSE:
        if (node.opens > 0 && --node.opens === 0) this.dropHandle(node);
        return done(0);
      case HostFsOp.FSYNC:
        return done(node.handle >= 0 ? b.fsync(node.handle) : 0);
      default:
        return done(-E.ENOSYS);
    }
  }

  private attach(req: Request): number {
    const i = req.u32(Req.ARG0);
    const share = this.shares[i];
    if (share === undefined) return -E.ENODEV;
    const r = this.statInto(req, i, []);
    if (r < 0) return r;
    req.v.setUint32(Req.ARG0, share.readOnly ? SHARE_RO : 0, true);
    req.setName(Req.NAME1, share.guestPath);
    return 0;
  }

  /** lstat path in share, give it a node, write the attr record: 0 or -errno. */
  private statInto(req: Request, share: number, path: string[]): number {
    const st = this.shares[share].backend.lstat(path);
    if (typeof st === "number") return st;
    const id = this.nodeFor(share, path, st);
    this.putAttr(req, id, st);
    return 0;
  }

  private nodeFor(share: number, path: string[], st: HostStat): number {
    const key = `${share}:${st.dev}:${st.ino}`;
    const have = this.byKey.get(key);
    if (have !== undefined) {
      this.nodes.get(have)!.path = path; // the latest name it was reached by
      return have;
    }
    const id = this.nextNode++;
    this.nodes.set(id, { share, path, key, handle: -1, writable: false, opens: 0 });
    this.byKey.set(key, id);
    return id;
  }

  private putAttr(req: Request, id: number, st: HostStat): void {
    const v = req.v, a = Req.ATTR;
    v.setUint32(a + Attr.NODE, id, true);
    v.setUint32(a + Attr.MODE, st.mode >>> 0, true);
    v.setUint32(a + Attr.NLINK, st.nlink >>> 0, true);
    v.setUint32(a + Attr.SIZE_LO, st.size >>> 0, true);
    v.setUint32(a + Attr.SIZE_HI, Math.floor(st.size / 0x1_0000_0000) >>> 0, true);
    v.setUint32(a + Attr.BLOCKS, st.blocks >>> 0, true);
    v.setUint32(a + Attr.INO_LO, st.ino >>> 0, true);
    v.setUint32(a + Attr.INO_HI, Math.floor(st.ino / 0x1_0000_0000) >>> 0, true);
    v.setUint32(a + Attr.ATIME, st.atimeSec >>> 0, true);
    v.setUint32(a + Attr.ATIME_NS, st.atimeNsec >>> 0, true);
    v.setUint32(a + Attr.MTIME, st.mtimeSec >>> 0, true);
    v.setUint32(a + Attr.MTIME_NS, st.mtimeNsec >>> 0, true);
    v.setUint32(a + Attr.CTIME, st.ctimeSec >>> 0, true);
    v.setUint32(a + Attr.CTIME_NS, st.ctimeNsec >>> 0, true);
    v.setUint32(a + Attr.RDEV, st.rdev >>> 0, true);
  }

  /** Fresh attributes of node (through its open handle if it has one: an unlinked open file). */
  private refresh(req: Request, node: Node): number {
    const b = this.shares[node.share].backend;
    const st = node.handle >= 0 ? b.fstat(node.handle) : b.lstat(node.path);
    if (typeof st === "number") return st;
    this.putAttr(req, this.byKey.get(node.key)!, st);
    return 0;
  }

  private ensureHandle(node: Node, write: boolean): number {
    if (node.handle >= 0 && (node.writable || !write)) return 0;
    const b = this.shares[node.share].backend;
    const h = b.open(node.path, write, false, 0);
    if (h < 0) return h;
    if (node.handle >= 0) b.close(node.handle);
    node.handle = h;
    node.writable = write;
    return 0;
  }

  private dropHandle(node: Node): void {
    if (node.handle >= 0) this.shares[node.share].backend.close(node.handle);
    node.handle = -1;
    node.writable = false;
  }

  /** Runs fn with a host handle of node, opened just for the call when the guest holds none. */
  private withHandle(node: Node, write: boolean, fn: (h: number) => number): number {
    const r = this.ensureHandle(node, write);
    if (r < 0) return r;
    try {
      return fn(node.handle);
    } finally {
      if (node.opens === 0) this.dropHandle(node);
    }
  }

  private make(req: Request, dir: Node, op: HostFsOp): number {
    const share = this.shares[dir.share];
    if (share.readOnly) return -E.EROFS;
    const name = req.name(Req.NAME1);
    if (typeof name === "number") return name;
    const b = share.backend;
    const path = [...dir.path, name];
    const mode = req.u32(Req.ARG0) & 0o7777;
    let r: number;
    if (op === HostFsOp.CREATE) {
      r = b.open(path, true, true, mode);
      if (r >= 0) {
        b.close(r);
        r = 0;
      }
    } else if (op === HostFsOp.MKDIR) {
      r = b.mkdir(path, mode);
    } else if (op === HostFsOp.SYMLINK) {
      const count = req.u32(Req.COUNT);
      const pages = req.pages(count);
      if (typeof pages === "number") return pages;
      const t = req.readData(pages, count);
      r = b.symlink(String.fromCharCode(...t), path);
    } else {
      const old = this.nodes.get(req.u32(Req.ARG0));
      if (old === undefined || old.share !== dir.share) return -E.EXDEV;
      r = b.link(old.path, path);
    }
    if (r < 0) return r;
    return this.statInto(req, dir.share, path);
  }

  private rename(req: Request, oldDir: Node): number {
    const share = this.shares[oldDir.share];
    if (share.readOnly) return -E.EROFS;
    const newDir = this.nodes.get(req.u32(Req.ARG0));
    if (newDir === undefined) return -E.ESTALE;
    if (newDir.share !== oldDir.share) return -E.EXDEV;
    const a = req.name(Req.NAME1);
    if (typeof a === "number") return a;
    const bname = req.name(Req.NAME2);
    if (typeof bname === "number") return bname;
    const from = [...oldDir.path, a];
    const to = [...newDir.path, bname];
    const r = share.backend.rename(from, to);
    if (r < 0) return r;
    // Nodes reached through the old name now live under the new one.
    for (const n of this.nodes.values()) {
      if (n.share !== oldDir.share || n.path.length < from.length) continue;
      if (from.every((c, i) => n.path[i] === c)) n.path = [...to, ...n.path.slice(from.length)];
    }
    return 0;
  }

  private readdir(req: Request, dir: Node): { result: number; moved: number } {
    const b = this.shares[dir.share].backend;
    const list = b.readdir(dir.path);
    if (typeof list === "number") return { result: list, moved: 0 };
    const cap = req.u32(Req.COUNT);
    const pages = req.pages(cap);
    if (typeof pages === "number") return { result: pages, moved: 0 };
    const out = new Uint8Array(cap);
    const v = new DataView(out.buffer);
    let used = 0;
    for (let i = req.offset(); i < list.length; i++) {
      const e = list[i];
      const len = Math.min(e.name.length, HOSTFS_NAME_MAX);
      if (used + DIRENT_HEADER + len > cap) break;
      const st = b.lstat([...dir.path, e.name]);
      const ino = typeof st === "number" ? 0 : st.ino;
      v.setUint32(used, i + 1, true);
      v.setUint32(used + 4, ino >>> 0, true);
      out[used + 8] = (e.type & S_IFMT) >>> 12;
      out[used + 9] = len;
      for (let j = 0; j < len; j++) out[used + DIRENT_HEADER + j] = e.name.charCodeAt(j) & 0xff;
      used += DIRENT_HEADER + len;
    }
    req.writeData(pages, out.subarray(0, used));
    return { result: used, moved: used };
  }

  private setattr(req: Request, node: Node): number {
    const share = this.shares[node.share];
    if (share.readOnly) return -E.EROFS;
    const b = share.backend;
    const mask = req.u32(Req.ARG0);
    if (mask & SETATTR_MODE) {
      const r = b.chmod(node.path, req.u32(Req.ARG1) & 0o7777);
      if (r < 0) return r;
    }
    if (mask & SETATTR_SIZE) {
      const r = this.withHandle(node, true, (h) => b.ftruncate(h, req.offset()));
      if (r < 0) return r;
    }
    if (mask & (SETATTR_ATIME | SETATTR_MTIME)) {
      const v = req.v, a = Req.ATTR;
      const t = (s: number, ns: number) => v.getUint32(a + s, true) + v.getUint32(a + ns, true) / 1e9;
      const r = b.utimes(node.path, mask & SETATTR_ATIME ? t(Attr.ATIME, Attr.ATIME_NS) : null, mask & SETATTR_MTIME ? t(Attr.MTIME, Attr.MTIME_NS) : null);
      if (r < 0) return r;
    }
    return this.refresh(req, node);
  }
}
