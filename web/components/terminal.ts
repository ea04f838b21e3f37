// An xterm.js terminal that fills its container and follows its size, plus
// a plain-text read-out of the buffer (the page's test hook uses it).

import { Terminal } from "@xterm/xterm";
import { FitAddon } from "@xterm/addon-fit";

export interface FittedTerminal {
  term: Terminal;
  /** Re-fits to the container (after it becomes visible or changes size). */
  fit(): void;
  /** Every buffer line (scrollback included) joined with "\n"; trailing empty lines dropped (written spaces stay). */
  text(): string;
}

/** Opens a terminal in container; it re-fits whenever the container resizes. */
export function openTerminal(container: HTMLElement): FittedTerminal {
  const term = new Terminal({
    fontFamily: "ui-monospace, 'DejaVu Sans Mono', Menlo, monospace",
    fontSize: 14,
    scrollback: 5000,
    convertEol: false,
    cursorBlink: true,
    theme: { background: "#101418", foreground: "#d8dee4" },
  });
  const fitAddon = new FitAddon();
  term.loadAddon(fitAddon);
  term.open(container);
  const fit = () => {
    if (container.offsetWidth > 0 && container.offsetHeight > 0) fitAddon.fit();
  };
  new ResizeObserver(fit).observe(container);
  fit();
  const text = () => {
    const buf = term.buffer.active;
    const lines: string[] = [];
    for (let i = 0; i < buf.length; i++) lines.push(buf.getLine(i)?.translateToString(true) ?? "");
    while (lines.length > 0 && lines[lines.length - 1] === "") lines.pop();
    return lines.join("\n");
  };
  return { term, fit, text };
}
