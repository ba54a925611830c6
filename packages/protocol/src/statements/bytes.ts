/**
 * The byte writer and reader behind the signed statements. Statements are
 * signed, so their encoding must be canonical: fixed-width big-endian
 * integers, length-prefixed fields, nothing optional left to an encoder's
 * taste, and a reader that refuses trailing bytes.
 */

/** Why a statement did not decode: the path of the faulty field, never the input. */
export class StatementDecodeError extends Error {
  constructor(readonly field: string) {
    super(`malformed statement field ${field}`);
    this.name = "StatementDecodeError";
  }
}

const utf8Encoder = new TextEncoder();
// fatal: a lossy decode would let two byte strings show the same name.
const utf8Decoder = new TextDecoder("utf-8", { fatal: true });

export class ByteWriter {
  private readonly parts: Uint8Array[] = [];
  private length = 0;

  u8(value: number): this {
    return this.bytes(Uint8Array.of(value));
  }

  u16(value: number): this {
    if (!Number.isInteger(value) || value < 0 || value > 0xffff) throw new RangeError("u16 out of range");
    return this.bytes(Uint8Array.of(value >> 8, value & 0xff));
  }

  /** A non-negative safe integer as 8 bytes. */
  u64(value: number): this {
    if (!Number.isSafeInteger(value) || value < 0) throw new RangeError("u64 must be a non-negative safe integer");
    const out = new Uint8Array(8);
    new DataView(out.buffer).setBigUint64(0, BigInt(value));
    return this.bytes(out);
  }

  bytes(value: Uint8Array): this {
    this.parts.push(value);
    this.length += value.length;
    return this;
  }

  /** Exactly `size` bytes, or a RangeError naming `field`. */
  fixed(value: Uint8Array, size: number, field: string): this {
    if (value.length !== size) throw new RangeError(`${field} must be ${size} bytes`);
    return this.bytes(value);
  }

  /** uint16 length ‖ bytes. */
  var16(value: Uint8Array): this {
    return this.u16(value.length).bytes(value);
  }

  text16(value: string): this {
    return this.var16(utf8Encoder.encode(value));
  }

  finish(): Uint8Array {
    const out = new Uint8Array(this.length);
    let at = 0;
    for (const part of this.parts) {
      out.set(part, at);
      at += part.length;
    }
    return out;
  }
}

export class ByteReader {
  private at = 0;

  constructor(
    private readonly input: Uint8Array,
    private readonly structure: string,
  ) {}

  get offset(): number {
    return this.at;
  }

  private take(size: number, field: string): Uint8Array {
    if (this.at + size > this.input.length) throw new StatementDecodeError(`${this.structure}.${field}`);
    const out = this.input.slice(this.at, this.at + size);
    this.at += size;
    return out;
  }

  u8(field: string): number {
    return this.take(1, field)[0]!; // take checked the length
  }

  u16(field: string): number {
    const b = this.take(2, field);
    return (b[0]! << 8) | b[1]!;
  }

  u64(field: string): number {
    const b = this.take(8, field);
    const value = new DataView(b.buffer, b.byteOffset, 8).getBigUint64(0);
    if (value > BigInt(Number.MAX_SAFE_INTEGER)) throw new StatementDecodeError(`${this.structure}.${field}`);
    return Number(value);
  }

  fixed(size: number, field: string): Uint8Array {
    return this.take(size, field);
  }

  var16(field: string, min: number, max: number): Uint8Array {
    const size = this.u16(field);
    if (size < min || size > max) throw new StatementDecodeError(`${this.structure}.${field}`);
    return this.take(size, field);
  }

  text16(field: string, maxBytes: number): string {
    const bytes = this.var16(field, 0, maxBytes);
    try {
      return utf8Decoder.decode(bytes);
    } catch {
      throw new StatementDecodeError(`${this.structure}.${field}`);
    }
  }

  /** The bytes read so far: what a signature that follows covers. */
  consumed(): Uint8Array {
    return this.input.slice(0, this.at);
  }

  end(): void {
    if (this.at !== this.input.length) throw new StatementDecodeError(`${this.structure}.end`);
  }
}
