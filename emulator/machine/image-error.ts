// The error a loader throws for an image the user gave that cannot be booted
// (not a multiboot image, bad checksum, truncated, does not fit in RAM...).
// Its message is one line meant for the user; the CLI prints it without a
// stack trace.

export class ImageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "ImageError";
  }
}
