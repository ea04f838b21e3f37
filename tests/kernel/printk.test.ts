// The kernel log buffer (kernel/printk.ts): Linux's record format, dropping
// whole old records at LOG_BUF_LEN, READ consuming, READ_ALL fitting the
// newest records into the caller's length, CLEAR, and the console level.

import { describe, expect, it } from "vitest";
import { LogBuffer, LOG_BUF_LEN, KERN_ERR, KERN_INFO } from "../../kernel/printk.ts";

describe("LogBuffer", () => {
  it("formats records as <level>[seconds.micros] text", () => {
    const log = new LogBuffer();
    log.append(KERN_INFO, 1.5, "hello");
    log.append(KERN_ERR, 12345.000001, "oops");
    expect(log.readAll(1 << 20)).toBe("<6>[    1.500000] hello\n<3>[12345.000001] oops\n");
  });

  it("READ consumes, READ_ALL does not; READ_ALL gives the newest whole records that fit", () => {
    const log = new LogBuffer();
    log.append(KERN_INFO, 0, "a");
    log.append(KERN_INFO, 0, "b");
    const rec = "<6>[    0.000000] a\n".length;
    expect(log.unread).toBe(2 * rec);
    expect(log.read(rec + 3)).toBe("<6>[    0.000000] a\n<6>");
    expect(log.unread).toBe(rec - 3);
    expect(log.readAll(rec)).toBe("<6>[    0.000000] b\n");
    expect(log.readAll(rec - 1)).toBe("");
    expect(log.readAll(2 * rec)).toBe("<6>[    0.000000] a\n<6>[    0.000000] b\n");
  });

  it("CLEAR empties READ_ALL until the next message", () => {
    const log = new LogBuffer();
    log.append(KERN_INFO, 0, "old");
    log.clear();
    expect(log.readAll(1000)).toBe("");
    log.append(KERN_INFO, 0, "new");
    expect(log.readAll(1000)).toBe("<6>[    0.000000] new\n");
  });

  it("drops whole old records past LOG_BUF_LEN, and unread ones with them", () => {
    const log = new LogBuffer();
    for (let i = 0; i < 2000; i++) log.append(KERN_INFO, 0, `message ${i}`);
    const all = log.readAll(1 << 20);
    expect(all.length).toBeLessThanOrEqual(LOG_BUF_LEN);
    expect(all.startsWith("<6>[")).toBe(true);
    expect(all.endsWith("] message 1999\n")).toBe(true);
    expect(log.unread).toBe(all.length);
  });

  it("shows on the console only what is below the console log level", () => {
    const log = new LogBuffer();
    expect(log.append(KERN_INFO, 0, "info")).toBe(true);
    log.consoleLoglevel = 4;
    expect(log.append(KERN_INFO, 0, "info")).toBe(false);
    expect(log.append(KERN_ERR, 0, "err")).toBe(true);
  });
});
