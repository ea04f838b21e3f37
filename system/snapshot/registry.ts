// The names a snapshot records for what it cannot store as data: the classes
// whose instances it holds (restored with Object.create(Class.prototype)) and
// the external values (module constants, sentinels, shared functions) that it
// refers to by name because their identity matters and they exist in every
// process already.

// eslint-disable-next-line @typescript-eslint/no-unsafe-function-type
export type Constructor = Function & { prototype: object };

export class ClassRegistry {
  private readonly byName = new Map<string, Constructor>();
  private readonly byProto = new Map<object, string>();
  private readonly externalByName = new Map<string, unknown>();
  private readonly externalByValue = new Map<unknown, string>();

  /**
   * classes: constructors (named by their `name`) or a name → constructor record.
   * Throws when two different constructors would get one name.
   */
  constructor(classes: Iterable<Constructor> | Record<string, Constructor> = []) {
    if (Symbol.iterator in classes) for (const c of classes as Iterable<Constructor>) this.add(c.name, c);
    else for (const [name, c] of Object.entries(classes)) this.add(name, c);
  }

  /** Registers `ctor` under `name`. Throws when the name is taken by another constructor. */
  add(name: string, ctor: Constructor): void {
    const had = this.byName.get(name);
    if (had && had !== ctor) throw new Error(`snapshot: two classes named ${name}`);
    this.byName.set(name, ctor);
    this.byProto.set(ctor.prototype, name);
  }

  /** Registers `ctor` under its own name, suffixed `~2`, `~3`… when taken; returns the name used. */
  addUnique(ctor: Constructor): string {
    const base = ctor.name || "(anonymous class)";
    let name = base;
    for (let n = 2; this.byName.has(name) && this.byName.get(name) !== ctor; n++) name = `${base}~${n}`;
    this.add(name, ctor);
    return name;
  }

  /** The registered name of objects with prototype `proto`, or undefined. */
  nameOfPrototype(proto: object): string | undefined {
    return this.byProto.get(proto);
  }

  /** The prototype registered as `name`, or undefined. */
  prototypeOf(name: string): object | undefined {
    return this.byName.get(name)?.prototype;
  }

  /** Registers a value written by name only (an object, function or symbol); throws on a taken name. */
  addExternal(name: string, value: unknown): void {
    if (this.externalByName.has(name) && this.externalByName.get(name) !== value) throw new Error(`snapshot: two externals named ${name}`);
    this.externalByName.set(name, value);
    this.externalByValue.set(value, name);
  }

  /** The external name of `value`, or undefined. */
  externalName(value: unknown): string | undefined {
    return this.externalByValue.get(value);
  }

  /** True when `name` is a registered external; its value is externalValue(name). */
  hasExternal(name: string): boolean {
    return this.externalByName.has(name);
  }

  externalValue(name: string): unknown {
    return this.externalByName.get(name);
  }

  /** Every registered class name (for reports). */
  classNames(): string[] {
    return [...this.byName.keys()];
  }
}
