// Buffered byte output for the guest's console and debug port: bytes are
// collected and written in one call per event-loop turn (or when the buffer
// fills), so a guest printing a byte per `out` does not cost a system call
// per byte. Writes are synchronous (stdout to a file, pipe or TTY is
// synchronous on Linux; files use writeSync), so flush() before exit loses nothing.

import { writeSync } from "node:fs";

export class ByteSink {
  private readonly buf = new Uint8Array(65536);
  private len = 0;
  private scheduled = false;

  /** write: receives each filled chunk (a view valid only during the call). */
  constructor(private readonly write: (chunk: Uint8Array) => void) {}

  /** A sink writing to file descriptor `fd`. */
  static toFd(fd: number): ByteSink {
    return new ByteSink((chunk) => {
      let off = 0;
      while (off < chunk.length) off += writeSync(fd, chunk, off, chunk.length - off);
    });
  }

  /** A sink writing to a Node stream such as process.stdout. */
  static toStream(stream: NodeJS.WritableStream): ByteSink {
    return new ByteSink((chunk) => {
      stream.write(Buffer.from(chunk));
    });
  }

  push(byte: number): void {
    this.buf[this.len++] = byte;
    if (this.len === this.buf.length) this.flush();
    else if (!this.scheduled) {
      this.scheduled = true;
      setImmediate(() => {
        this.scheduled = false;
        this.flush();
      });
    }
  }

  /** Queues every byte of `bytes`. */
  pushAll(bytes: ArrayLike<number>): void {
    for (let i = 0; i < bytes.length; i++) this.push(bytes[i]);
  }

  flush(): void {
    if (this.len === 0) return;
    const chunk = this.buf.subarray(0, this.len);
    this.len = 0;
    this.write(chunk);
  }
}
