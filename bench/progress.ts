// The one-line progress indicator of the benchmark runner, on stderr: redrawn
// in place with \r on a terminal, one plain line per step otherwise (CI logs).

export class Progress {
  private readonly tty: boolean;
  private readonly t0 = performance.now();
  private shown = false;

  constructor(private readonly stream: NodeJS.WriteStream = process.stderr) {
    this.tty = stream.isTTY === true;
  }

  /** Shows "[step/total] what (elapsed)". */
  update(step: number, total: number, what: string): void {
    const secs = Math.round((performance.now() - this.t0) / 1000);
    const line = `[${step}/${total}] ${what} (${secs}s)`;
    if (this.tty) {
      const cols = this.stream.columns ?? 100;
      this.stream.write(`\r${line.slice(0, cols - 1)}\x1b[K`);
      this.shown = true;
    } else {
      this.stream.write(line + "\n");
    }
  }

  /** Clears the line (terminal) before the table is printed. */
  done(): void {
    if (this.tty && this.shown) this.stream.write("\r\x1b[K");
    this.shown = false;
  }

  /** Seconds since the progress started. */
  elapsed(): number {
    return (performance.now() - this.t0) / 1000;
  }
}
