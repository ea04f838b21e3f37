// Buffered byte output for the guest's console, its debug port and the
// page-fault trace: bytes are collected and written in one call per
// event-loop turn (or when the buffer fills), so a guest printing a byte per
// `out` does not cost a system call per byte. Writes are synchronous
// (writeSync on the descriptor, never a Node stream that would report its
// errors after the process has exited), so flush() before exit loses nothing
// and a failed write (ENOSPC, EIO, EPIPE) reaches the sink's onError at once.

import { writeSync } from "node:fs";

/** Milliseconds to wait before retrying a write to a full non-blocking pipe. */
const EAGAIN_RETRY_MS = 1;
const sleeper = new Int32Array(new SharedArrayBuffer(4));

/**
 * Writes every byte of `chunk` to `fd`, as write(2) in a loop. A descriptor
 * Node made non-blocking (a pipe shared with process.stdin or stderr) may say
 * EAGAIN when the pipe is full; then this waits and retries, so the writer
 * blocks as a Unix program would. Throws the write's error (with its code).
 */
export function writeAllSync(fd: number, chunk: Uint8Array): void {
  let off = 0;
  while (off < chunk.length) {
    try {
      off += writeSync(fd, chunk, off, chunk.length - off);
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== "EAGAIN") throw e;
      Atomics.wait(sleeper, 0, 0, EAGAIN_RETRY_MS);
    }
  }
}

export class ByteSink {
  private readonly buf = new Uint8Array(65536);
  private len = 0;
  private scheduled = false;
  private failed = false;

  /**
   * write: receives each filled chunk (a view valid only during the call) and
   * throws when it cannot be written; onError then gets the error, once, and
   * everything pushed afterwards is dropped.
   */
  constructor(
    private readonly write: (chunk: Uint8Array) => void,
    private readonly onError: (e: NodeJS.ErrnoException) => void,
  ) {}

  /** A sink writing to file descriptor `fd`; see the constructor for onError. */
  static toFd(fd: number, onError: (e: NodeJS.ErrnoException) => void): ByteSink {
    return new ByteSink((chunk) => writeAllSync(fd, chunk), onError);
  }

  push(byte: number): void {
    if (this.failed) return;
    this.buf[this.len++] = byte;
    if (this.len === this.buf.length) this.flush();
    else this.schedule();
  }

  /** Queues src[offset, offset+length) (copied; a full buffer is written at once, blocking while the reader is slow). */
  pushBytes(src: Uint8Array, offset: number, length: number): void {
    const end = offset + length;
    while (offset < end && !this.failed) {
      const n = Math.min(end - offset, this.buf.length - this.len);
      this.buf.set(src.subarray(offset, offset + n), this.len);
      this.len += n;
      offset += n;
      if (this.len === this.buf.length) this.flush();
    }
    if (this.len > 0) this.schedule();
  }

  /** True once a write failed (everything pushed since is dropped). */
  get broken(): boolean {
    return this.failed;
  }

  private schedule(): void {
    if (this.scheduled) return;
    this.scheduled = true;
    setImmediate(() => {
      this.scheduled = false;
      this.flush();
    });
  }

  /** Queues every byte of `bytes`. */
  pushAll(bytes: ArrayLike<number>): void {
    for (let i = 0; i < bytes.length; i++) this.push(bytes[i]);
  }

  /** Queues `text` as UTF-8 and writes everything queued. */
  writeText(text: string): void {
    this.pushAll(Buffer.from(text, "utf8"));
    this.flush();
  }

  flush(): void {
    if (this.len === 0 || this.failed) return;
    const chunk = this.buf.subarray(0, this.len);
    this.len = 0;
    try {
      this.write(chunk);
    } catch (e) {
      this.failed = true;
      this.onError(e as NodeJS.ErrnoException);
    }
  }
}
