// The debugger core (stop/cont/step, breakpoints, watchpoints, exception holds)
// knows only the machine, so it lives beside the gdb stub in emulator/gdb; the
// monitor and its hosts import it from here.
export * from "../emulator/gdb/debugger.ts";
