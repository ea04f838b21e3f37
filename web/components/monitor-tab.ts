// The monitor tab: a second terminal with a "(vmalab) " prompt, local line
// editing (backspace, ^C, ^U, up/down history) and output printed as it
// arrives: command results and asynchronous lines (the page-fault trace).

import type { FittedTerminal } from "./terminal.ts";

const PROMPT = "(vmalab) ";

export class MonitorTab {
  private line = "";
  private readonly history: string[] = [];
  private historyPos = 0;

  /** send: hands a completed command line to the worker. */
  constructor(
    private readonly t: FittedTerminal,
    private readonly send: (line: string) => void,
  ) {
    t.term.writeln("vmalab monitor: type help");
    t.term.write(PROMPT);
    t.term.onData((data) => this.input(data));
  }

  /** Prints a command's result and a new prompt. */
  result(text: string): void {
    if (text) this.t.term.write(text.replace(/\r?\n/g, "\r\n") + (text.endsWith("\n") ? "" : "\r\n"));
    this.t.term.write(PROMPT);
  }

  /** Prints asynchronous output above the line being edited. */
  async(text: string): void {
    const body = text.replace(/\r?\n/g, "\r\n") + (text.endsWith("\n") ? "" : "\r\n");
    this.t.term.write(`\r\x1b[K${body}${PROMPT}${this.line}`);
  }

  private input(data: string): void {
    if (data.startsWith("\x1b[")) {
      if (data === "\x1b[A" || data === "\x1b[B") this.recall(data === "\x1b[A" ? -1 : 1);
      return;
    }
    for (const ch of data) {
      if (ch === "\r" || ch === "\n") {
        this.t.term.write("\r\n");
        const line = this.line;
        this.line = "";
        if (line.trim()) this.history.push(line);
        this.historyPos = this.history.length;
        this.send(line);
      } else if (ch === "\x7f" || ch === "\b") {
        if (this.line.length > 0) {
          this.line = this.line.slice(0, -1);
          this.t.term.write("\b \b");
        }
      } else if (ch === "\x03" || ch === "\x15") {
        this.line = "";
        this.t.term.write(ch === "\x03" ? "^C\r\n" + PROMPT : `\r\x1b[K${PROMPT}`);
      } else if (ch >= " ") {
        this.line += ch;
        this.t.term.write(ch);
      }
    }
  }

  private recall(dir: number): void {
    const pos = Math.max(0, Math.min(this.history.length, this.historyPos + dir));
    this.historyPos = pos;
    this.line = this.history[pos] ?? "";
    this.t.term.write(`\r\x1b[K${PROMPT}${this.line}`);
  }
}
