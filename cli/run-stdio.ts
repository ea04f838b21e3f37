// `vmalab run` as a Unix command: the host ends of the guest program's
// stdin, stdout and stderr on the machine's paravirtual console
// (emulator/devices/vport.ts). Each of the host's descriptors 0-2 that is not
// a terminal becomes a binary-clean port of the same number (as a shell gives
// a program a pipe); a terminal stays on the console tty (COM1), with its
// line discipline, job control and ^C.
//
// stdin is a Node stream read only as the guest consumes it: at most
// SOURCE_CAP bytes (plus one chunk) are held, and the stream is paused while
// they are. Under --deterministic the guest sees input in windows of
// SOURCE_CAP bytes (or what is left at end of file), so the same bytes give
// the same guest cycles however the host's pipe cut them into chunks;
// otherwise it sees whatever has arrived, as a pipe on Linux does.
// stdout and stderr are ByteSinks: buffered up to 64 KiB per event-loop
// turn, written synchronously, so a slow reader blocks the whole emulator
// (the guest's write does not return before its bytes are taken); a write to
// one first flushes the other, so `2>&1` keeps the guest's order.

import type { VportHostEnd, VportSink, VportSource } from "../emulator/devices/vport.ts";
import { ByteSink } from "./output.ts";

/** Bytes of host input held for the guest at most (plus one stream chunk). */
export const SOURCE_CAP = 65536;

/** Host bytes for the guest from a Node stream. */
export class StreamSource implements VportSource {
  private readonly chunks: Buffer[] = [];
  /** Offset of the next byte in chunks[0]. */
  private head = 0;
  private buffered = 0;
  /** Bytes the guest may take now (the current window, in windowed mode). */
  private window = 0;
  private eof = false;
  private flowing = false;
  private notify: () => void = () => {};

  /** windowed: hand out input only in SOURCE_CAP windows or at end of file (deterministic runs). */
  constructor(
    private readonly stream: NodeJS.ReadableStream,
    private readonly windowed: boolean,
  ) {}

  /** Starts listening (the stream stays paused until the guest asks for bytes). */
  connect(notify: () => void): void {
    this.notify = notify;
    this.stream.on("data", (chunk: Buffer) => {
      if (chunk.length === 0) return;
      this.chunks.push(chunk);
      this.buffered += chunk.length;
      if (this.buffered >= SOURCE_CAP) this.pause();
      this.notify();
    });
    const end = () => {
      if (this.eof) return;
      this.eof = true;
      this.notify();
    };
    this.stream.on("end", end);
    this.stream.on("error", end); // a stdin that fails to read ends, as EIO would end a read loop
    this.stream.pause();
  }

  readable(): boolean {
    if (this.window === 0) {
      if (!this.windowed || this.buffered >= SOURCE_CAP || this.eof) this.window = Math.min(this.buffered, SOURCE_CAP);
    }
    if (this.window > 0 || (this.eof && this.buffered === 0)) return true;
    if (!this.flowing && !this.eof) {
      this.flowing = true;
      this.stream.resume();
    }
    return false;
  }

  read(dst: Uint8Array, offset: number, length: number): number {
    let n = Math.min(length, this.window);
    const total = n;
    while (n > 0) {
      const c = this.chunks[0];
      const take = Math.min(n, c.length - this.head);
      dst.set(c.subarray(this.head, this.head + take), offset);
      offset += take;
      n -= take;
      this.head += take;
      if (this.head === c.length) {
        this.chunks.shift();
        this.head = 0;
      }
    }
    this.buffered -= total;
    this.window -= total;
    if (!this.flowing && !this.eof && this.buffered < SOURCE_CAP) {
      this.flowing = true;
      this.stream.resume();
    }
    return total;
  }

  private pause(): void {
    this.flowing = false;
    this.stream.pause();
  }
}

/** Guest bytes for a host descriptor; a reader that went away (EPIPE) closes the port, other failures go to onFailure. */
export class FdSink implements VportSink {
  closed = false;
  private readonly out: ByteSink;

  /** before: run ahead of every write (flushes other output to the same descriptor, keeping the order). */
  constructor(fd: number, onFailure: (e: NodeJS.ErrnoException) => void, private readonly before: () => void = () => {}) {
    this.out = ByteSink.toFd(fd, (e) => {
      if (e.code === "EPIPE") this.closed = true;
      else onFailure(e);
    });
  }

  write(src: Uint8Array, offset: number, length: number): boolean {
    if (this.closed || this.out.broken) return true;
    this.before();
    this.out.pushBytes(src, offset, length);
    return true;
  }

  writable(): boolean {
    return true;
  }

  /** Writes out what is buffered (at exit, or before another descriptor is written). */
  flush(): void {
    this.out.flush();
  }
}

export interface RunStdio {
  /** Host ends for ports 0-2 (null: that descriptor is a terminal and stays on the console). */
  ends: (VportHostEnd | null)[];
  /** True when the guest reads the host's stdin through port 0 (not the console). */
  stdinTaken: boolean;
  /** Writes out the sinks' buffers. */
  flush(): void;
}

/**
 * Chooses, per host descriptor 0-2, a port or the console (see the file
 * comment). onFailure(what, e) reports an output that cannot be written
 * (ENOSPC, EIO); beforeStdout flushes console output queued for fd 1.
 */
export function runStdio(
  deterministic: boolean,
  onFailure: (what: string, e: NodeJS.ErrnoException) => void,
  beforeStdout: () => void,
): RunStdio {
  const ends: (VportHostEnd | null)[] = [null, null, null];
  const sinks: FdSink[] = [];
  // Bytes leave in the order the guest wrote them, across descriptors (2>&1 is one pipe): a write
  // first flushes what the other sinks and the console hold.
  let last: FdSink | null = null;
  const stdinTaken = !process.stdin.isTTY;
  if (stdinTaken) {
    const source = new StreamSource(process.stdin, deterministic);
    ends[0] = { source, connect: (notify) => source.connect(notify) };
  }
  for (const fd of [1, 2]) {
    if ((fd === 1 ? process.stdout : process.stderr).isTTY) continue;
    const what = fd === 1 ? "standard output" : "standard error";
    const sink: FdSink = new FdSink(fd, (e) => onFailure(what, e), () => {
      if (fd === 1) beforeStdout();
      if (last !== sink) last?.flush();
      last = sink;
    });
    sinks.push(sink);
    ends[fd] = { sink };
  }
  return { ends, stdinTaken, flush: () => sinks.forEach((s) => s.flush()) };
}
