// Module-level values that kernel state points at: file and inode operation
// tables, timer functions. A Linux kernel image has them at fixed addresses;
// here each is registered under a stable name, so that a machine snapshot
// (system/snapshot) can write a reference to one as its name and find the same
// value again in the process that restores it.

const values = new Map<string, unknown>();

/**
 * Registers `value` under `name` and returns it (wrap the definition:
 * `export const pipeFops = named("pipeFops", {...})`). A name is registered
 * once; a second, different value under it panics at module load.
 */
export function named<T extends object>(name: string, value: T): T {
  const had = values.get(name);
  if (had !== undefined && had !== value) throw new Error(`named: two values named ${name}`);
  values.set(name, value);
  return value;
}

/** Every registered name and value. */
export function namedValues(): ReadonlyMap<string, unknown> {
  return values;
}
