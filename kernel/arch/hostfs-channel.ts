// The kernel's door to the host-folder device (docs/hostfs.md): a request
// block in one kernel frame and a bounce buffer of kernel frames for data,
// filled through the charged physical-memory accessor and sent with one
// 32-bit OUT. The device answers before the OUT returns.

import type { X86 } from "./x86.ts";
import {
  Attr, DIRENT_HEADER, HOSTFS_MAGIC, HOSTFS_MAX_PAGES, HOSTFS_PORT, HOSTFS_PORT_SHARES, HostFsOp, Req, SHARE_RO,
  SETATTR_ATIME, SETATTR_MODE, SETATTR_MTIME, SETATTR_SIZE,
} from "../../emulator/devices/hostfs-protocol.ts";

export { HostFsOp, DIRENT_HEADER, SETATTR_ATIME, SETATTR_MODE, SETATTR_MTIME, SETATTR_SIZE, HOSTFS_MAX_PAGES };

/** A file's attributes as the device reports them. */
export interface HostAttr {
  node: number;
  mode: number;
  nlink: number;
  size: number;
  blocks: number;
  ino: number;
  atimeSec: number;
  atimeNsec: number;
  mtimeSec: number;
  mtimeNsec: number;
  ctimeSec: number;
  ctimeNsec: number;
}

/** What one request carries besides op and node (all optional). */
export interface HostFsArgs {
  arg0?: number;
  arg1?: number;
  offset?: number;
  count?: number;
  name1?: string;
  name2?: string;
  /** Data pages (physical addresses); default none. */
  pages?: readonly number[];
  /** Times for SETATTR, written into the attr area. */
  atime?: [number, number];
  mtime?: [number, number];
}

/** True when a host-folder device answers at its port. */
export function hostFsPresent(x86: X86): boolean {
  return x86.inl(HOSTFS_PORT) === HOSTFS_MAGIC;
}

/** How many host folders the device shares. */
export function hostFsShares(x86: X86): number {
  return x86.inl(HOSTFS_PORT_SHARES);
}

export class HostFsChannel {
  /**
   * blockPa: a kernel frame for request blocks; bounce: kernel frames
   * (at most HOSTFS_MAX_PAGES) for data. The caller owns and keeps them.
   */
  constructor(
    private readonly x86: X86,
    private readonly blockPa: number,
    readonly bounce: readonly number[],
  ) {}

  /** Bytes one bounce-buffered request can move. */
  get bounceBytes(): number {
    return this.bounce.length * 4096;
  }

  /** Sends op on node with args; returns the device's result (>= 0 or -errno). */
  call(op: HostFsOp, node: number, a: HostFsArgs = {}): number {
    const m = this.x86.phys, b = this.blockPa;
    m.write32(b + Req.OP, op);
    m.write32(b + Req.RESULT, 0);
    m.write32(b + Req.NODE, node);
    m.write32(b + Req.ARG0, a.arg0 ?? 0);
    m.write32(b + Req.ARG1, a.arg1 ?? 0);
    const off = a.offset ?? 0;
    m.write32(b + Req.OFFSET_LO, off >>> 0);
    m.write32(b + Req.OFFSET_HI, Math.floor(off / 0x1_0000_0000) >>> 0);
    m.write32(b + Req.COUNT, a.count ?? 0);
    const pages = a.pages ?? [];
    m.write32(b + Req.NPAGES, pages.length);
    for (let i = 0; i < pages.length; i++) m.write32(b + Req.PAGES + 4 * i, pages[i]);
    if (a.name1 !== undefined) this.putName(Req.NAME1, a.name1);
    if (a.name2 !== undefined) this.putName(Req.NAME2, a.name2);
    if (a.atime) {
      m.write32(b + Req.ATTR + Attr.ATIME, a.atime[0] >>> 0);
      m.write32(b + Req.ATTR + Attr.ATIME_NS, a.atime[1] >>> 0);
    }
    if (a.mtime) {
      m.write32(b + Req.ATTR + Attr.MTIME, a.mtime[0] >>> 0);
      m.write32(b + Req.ATTR + Attr.MTIME_NS, a.mtime[1] >>> 0);
    }
    this.x86.outl(HOSTFS_PORT, b);
    return m.read32(b + Req.RESULT) | 0;
  }

  private putName(at: number, s: string): void {
    const bytes = new Uint8Array(2 + s.length);
    bytes[0] = s.length & 0xff;
    bytes[1] = s.length >>> 8;
    for (let i = 0; i < s.length; i++) bytes[2 + i] = s.charCodeAt(i) & 0xff;
    this.x86.phys.writeBytes(this.blockPa + at, bytes);
  }

  /** The attr record of the last answer. */
  attr(): HostAttr {
    const raw = this.x86.phys.readBytes(this.blockPa + Req.ATTR, Attr.SIZE);
    const v = new DataView(raw.buffer, raw.byteOffset, raw.byteLength);
    const u = (o: number) => v.getUint32(o, true);
    return {
      node: u(Attr.NODE), mode: u(Attr.MODE), nlink: u(Attr.NLINK),
      size: u(Attr.SIZE_LO) + u(Attr.SIZE_HI) * 0x1_0000_0000, blocks: u(Attr.BLOCKS),
      ino: u(Attr.INO_LO) + u(Attr.INO_HI) * 0x1_0000_0000,
      atimeSec: u(Attr.ATIME), atimeNsec: u(Attr.ATIME_NS), mtimeSec: u(Attr.MTIME), mtimeNsec: u(Attr.MTIME_NS),
      ctimeSec: u(Attr.CTIME), ctimeNsec: u(Attr.CTIME_NS),
    };
  }

  /** ATTACH's answer: is the share read-only, and the guest path it is to be mounted on. */
  shareInfo(): { readOnly: boolean; guestPath: string } {
    const m = this.x86.phys, b = this.blockPa;
    const flags = m.read32(b + Req.ARG0);
    const len = m.read32(b + Req.NAME1) & 0xffff;
    const bytes = m.readBytes(b + Req.NAME1 + 2, len);
    return { readOnly: (flags & SHARE_RO) !== 0, guestPath: String.fromCharCode(...bytes) };
  }

  /** The bounce pages needed for len bytes. */
  pagesFor(len: number): number[] {
    return this.bounce.slice(0, Math.ceil(len / 4096));
  }

  /** Copies len bytes out of the bounce buffer. */
  readBounce(len: number): Uint8Array {
    const out = new Uint8Array(len);
    for (let i = 0, done = 0; done < len; i++, done += 4096) out.set(this.x86.phys.readBytes(this.bounce[i], Math.min(4096, len - done)), done);
    return out;
  }

  /** Copies data (at most bounceBytes) into the bounce buffer. */
  writeBounce(data: Uint8Array): void {
    for (let i = 0, done = 0; done < data.length; i++, done += 4096) this.x86.phys.writeBytes(this.bounce[i], data.subarray(done, done + 4096));
  }
}
