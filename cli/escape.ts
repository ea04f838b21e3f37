// The Ctrl-A escape of the terminal, as in QEMU's -nographic mode: Ctrl-A
// followed by a key is a command for vmalab, every other byte goes to COM1.
//   Ctrl-A x  quit       Ctrl-A h  help       Ctrl-A c  monitor
//   Ctrl-A Ctrl-A       sends one Ctrl-A to the guest
// Any other key after Ctrl-A is ignored (both bytes are dropped).

export const CTRL_A = 0x01;

export interface EscapeActions {
  quit(): void;
  help(): void;
  monitor(): void;
}

export const ESCAPE_HELP = [
  "Ctrl-A h       print this help",
  "Ctrl-A x       exit vmalab",
  "Ctrl-A c       switch to the monitor",
  "Ctrl-A Ctrl-A  send Ctrl-A to the guest",
];

export class EscapeFilter {
  private armed = false;

  constructor(private readonly actions: EscapeActions) {}

  /**
   * Consumes terminal input; returns the bytes meant for the guest (a new
   * array, possibly empty) after running the actions of any escapes in it.
   */
  filter(data: Uint8Array): Uint8Array {
    const out: number[] = [];
    for (const b of data) {
      if (this.armed) {
        this.armed = false;
        if (b === CTRL_A) out.push(CTRL_A);
        else if (b === 0x78 || b === 0x58) this.actions.quit();
        else if (b === 0x68 || b === 0x48) this.actions.help();
        else if (b === 0x63 || b === 0x43) this.actions.monitor();
      } else if (b === CTRL_A) this.armed = true;
      else out.push(b);
    }
    return Uint8Array.from(out);
  }
}
