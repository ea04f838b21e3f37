// Collects console bytes from the guest and posts them in batches, so a
// guest printing flat out costs one message per ~16 ms, not one per byte.
// The byte path (push) allocates nothing; a flush copies the batch once.

const CAPACITY = 64 * 1024;
const FLUSH_MS = 16;

export class OutputBatcher {
  private readonly buf = new Uint8Array(CAPACITY);
  private len = 0;
  private timer: ReturnType<typeof setTimeout> | null = null;

  /** send receives each batch (a fresh Uint8Array it may transfer). */
  constructor(private readonly send: (bytes: Uint8Array) => void) {}

  /** Queues one byte; flushes at once when the buffer is full, else within FLUSH_MS. */
  push(byte: number): void {
    this.buf[this.len++] = byte;
    if (this.len === CAPACITY) this.flush();
    else if (this.timer === null) this.timer = setTimeout(() => this.flush(), FLUSH_MS);
  }

  /** Sends what is queued (nothing when empty). */
  flush(): void {
    if (this.timer !== null) clearTimeout(this.timer);
    this.timer = null;
    if (this.len === 0) return;
    const out = this.buf.slice(0, this.len);
    this.len = 0;
    this.send(out);
  }

  /** Drops queued bytes (a reboot). */
  clear(): void {
    if (this.timer !== null) clearTimeout(this.timer);
    this.timer = null;
    this.len = 0;
  }
}

const MAX_LINES = 200;

/**
 * Batches asynchronous monitor text (a live page-fault trace can produce
 * thousands of lines per second): one message per ~50 ms, at most MAX_LINES
 * lines each; the excess is counted and reported as dropped.
 */
export class AsyncTextBatcher {
  private lines: string[] = [];
  private dropped = 0;
  private timer: ReturnType<typeof setTimeout> | null = null;

  constructor(private readonly send: (text: string) => void) {}

  /** Queues text (one or more lines). */
  push(text: string): void {
    if (this.lines.length < MAX_LINES) this.lines.push(text);
    else this.dropped++;
    if (this.timer === null) this.timer = setTimeout(() => this.flush(), 50);
  }

  private flush(): void {
    this.timer = null;
    if (this.dropped > 0) this.lines.push(`... ${this.dropped} more lines not shown`);
    const text = this.lines.join("\n");
    this.lines = [];
    this.dropped = 0;
    if (text) this.send(text);
  }
}
