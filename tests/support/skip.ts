// What a test does when a tool it needs (clang, qemu-user, Debian's packages)
// is missing: skip with the reason on the log, or fail when CI=true, where
// .ci/run has installed everything.

/** Skips (logging why) or, when CI=true, throws. */
export function skipOrFail(reason: string): void {
  if (process.env.CI === "true") throw new Error(reason);
  console.log(`skipped: ${reason}`);
}
