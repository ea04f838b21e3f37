// A small line editor for the monitor prompt on a raw terminal: printable
// characters, Backspace, Ctrl-U (kill line), Ctrl-C (drop the line), Left and
// Right, Home/End (Ctrl-A is vmalab's escape, so Ctrl-E and Home only), Up and
// Down through the history, Tab completion, Enter to submit.

export interface LineEditorHooks {
  /** Bytes to echo to the terminal. */
  write(text: string): void;
  /** A finished line. */
  submit(line: string): void;
  /** Whole-line completions of `prefix`. */
  complete(prefix: string): string[];
}

export class LineEditor {
  private line = "";
  private cursor = 0;
  private readonly history: string[] = [];
  private historyPos = 0;
  private escape = "";

  constructor(
    private readonly prompt: string,
    private readonly hooks: LineEditorHooks,
  ) {}

  /** Shows the prompt and the line being edited (e.g. after switching to the monitor). */
  show(): void {
    this.redraw();
  }

  /** Feeds terminal input bytes. */
  feed(bytes: Uint8Array): void {
    for (const b of bytes) this.key(b);
  }

  private key(b: number): void {
    if (this.escape !== "") {
      this.escape += String.fromCharCode(b);
      if (this.escape.length === 2 && this.escape !== "\x1b[" && this.escape !== "\x1bO") this.escape = "";
      else if (this.escape.length >= 3 && b >= 0x40 && b <= 0x7e) {
        this.arrow(this.escape);
        this.escape = "";
      }
      return;
    }
    switch (b) {
      case 0x1b:
        this.escape = "\x1b";
        return;
      case 0x0d:
      case 0x0a: {
        const line = this.line;
        this.hooks.write("\r\n");
        if (line.trim() !== "" && this.history[this.history.length - 1] !== line) this.history.push(line);
        this.historyPos = this.history.length;
        this.line = "";
        this.cursor = 0;
        this.hooks.submit(line);
        return;
      }
      case 0x7f:
      case 0x08:
        if (this.cursor > 0) {
          this.line = this.line.slice(0, this.cursor - 1) + this.line.slice(this.cursor);
          this.cursor--;
          this.redraw();
        }
        return;
      case 0x03:
        this.hooks.write("^C\r\n");
        this.line = "";
        this.cursor = 0;
        this.redraw();
        return;
      case 0x15:
        this.line = this.line.slice(this.cursor);
        this.cursor = 0;
        this.redraw();
        return;
      case 0x05:
        this.cursor = this.line.length;
        this.redraw();
        return;
      case 0x09:
        this.completeLine();
        return;
      default:
        if (b >= 0x20 && b < 0x7f) {
          this.line = this.line.slice(0, this.cursor) + String.fromCharCode(b) + this.line.slice(this.cursor);
          this.cursor++;
          this.redraw();
        }
    }
  }

  private arrow(seq: string): void {
    const k = seq[seq.length - 1];
    if (k === "A" && this.historyPos > 0) this.setLine(this.history[--this.historyPos]);
    else if (k === "B" && this.historyPos < this.history.length) {
      this.historyPos++;
      this.setLine(this.history[this.historyPos] ?? "");
    } else if (k === "C" && this.cursor < this.line.length) this.cursor++;
    else if (k === "D" && this.cursor > 0) this.cursor--;
    else if (k === "H") this.cursor = 0;
    else if (k === "F") this.cursor = this.line.length;
    this.redraw();
  }

  private setLine(text: string): void {
    this.line = text;
    this.cursor = text.length;
  }

  private completeLine(): void {
    const options = this.hooks.complete(this.line);
    if (options.length === 1) {
      this.setLine(options[0] + " ");
    } else if (options.length > 1) {
      let common = options[0];
      for (const o of options) while (!o.startsWith(common)) common = common.slice(0, -1);
      if (common.length > this.line.length) this.setLine(common);
      else this.hooks.write("\r\n" + options.join("  ") + "\r\n");
    }
    this.redraw();
  }

  private redraw(): void {
    const back = this.line.length - this.cursor;
    this.hooks.write(`\r\x1b[K${this.prompt}${this.line}${back > 0 ? `\x1b[${back}D` : ""}`);
  }
}
