// A plain text line under the console for phones, where typing into xterm's
// hidden textarea is unreliable: Enter (or the ⏎ button) sends the line and a
// carriage return to the guest, ^C sends an interrupt, and Backspace on an
// empty line sends DEL (to edit what the shell already has). Shown by CSS on
// narrow screens only.

/** Wires form (holding input, the ^C button) to send, which takes the bytes as text. */
export function setupMobileInput(form: HTMLFormElement, input: HTMLInputElement, ctrlC: HTMLElement, send: (text: string) => void): void {
  form.addEventListener("submit", (e) => {
    e.preventDefault();
    send(input.value + "\r");
    input.value = "";
  });
  input.addEventListener("keydown", (e) => {
    if (e.key === "Backspace" && input.value === "") send("\x7f");
  });
  ctrlC.addEventListener("click", () => {
    input.value = "";
    send("\x03");
    input.focus();
  });
}
