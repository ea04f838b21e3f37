// Yielding to the host's event loop between run slices, in Node (setImmediate)
// and in browsers and Web Workers (a MessageChannel message: unlike
// setTimeout(0) it is not clamped to 4 ms).

/** Runs `fn` after pending host events (I/O, messages) have been handled. */
export const yieldToHost: (fn: () => void) => void = makeYield();

function makeYield(): (fn: () => void) => void {
  if (typeof setImmediate === "function") return (fn) => void setImmediate(fn);
  if (typeof MessageChannel === "function") {
    const queue: (() => void)[] = [];
    const channel = new MessageChannel();
    channel.port1.onmessage = () => queue.shift()?.();
    return (fn) => {
      queue.push(fn);
      channel.port2.postMessage(0);
    };
  }
  return (fn) => void setTimeout(fn, 0);
}
