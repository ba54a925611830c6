/**
 * A small, valid Ogg Opus file made in the test, as a phone records a voice
 * message: the OpusHead and OpusTags headers (RFC 7845) and 20 ms silence
 * frames, each page with its Ogg checksum. Its length is known exactly:
 * (last granule position − pre-skip) / 48 kHz.
 */
const PRE_SKIP = 312;
const SAMPLES_PER_FRAME = 960; // 20 ms at 48 kHz
/** TOC 0xF8 (CELT, full band, 20 ms, mono, one frame) and a frame that decodes to silence. */
const SILENT_FRAME = Buffer.of(0xf8, 0xff, 0xfe);

const CRC_TABLE = Array.from({ length: 256 }, (_, n) => {
  let c = n << 24;
  for (let k = 0; k < 8; k++) c = c & 0x80000000 ? (c << 1) ^ 0x04c11db7 : c << 1;
  return c >>> 0;
});

/** Ogg's CRC-32: polynomial 0x04C11DB7, not reflected, initial value and final XOR 0. */
function oggCrc(bytes: Buffer): number {
  let crc = 0;
  for (const b of bytes) crc = ((crc << 8) ^ CRC_TABLE[((crc >>> 24) ^ b) & 0xff]!) >>> 0;
  return crc;
}

function page(packets: Buffer[], flags: number, granule: bigint, sequence: number): Buffer {
  const segments = packets.flatMap((p) => {
    const lacing = Array<number>(Math.floor(p.length / 255)).fill(255);
    return [...lacing, p.length % 255];
  });
  if (segments.length > 255) throw new RangeError("too many packets for one page");
  const header = Buffer.alloc(27);
  header.write("OggS", 0, "latin1");
  header[5] = flags;
  header.writeBigInt64LE(granule, 6);
  header.writeUInt32LE(0x426f7465, 14); // stream serial number: "Bote"
  header.writeUInt32LE(sequence, 18);
  header[26] = segments.length;
  const bytes = Buffer.concat([header, Buffer.from(segments), ...packets]);
  bytes.writeUInt32LE(oggCrc(bytes), 22);
  return bytes;
}

/** An Ogg Opus voice message of `durationMs` (a multiple of 20 ms, at most 5 s). */
export function oggOpusVoice(durationMs: number): Buffer {
  const frames = durationMs / 20;
  if (!Number.isInteger(frames) || frames < 1 || frames > 250) throw new RangeError("20 ms to 5 s in 20 ms steps");
  const head = Buffer.alloc(19);
  head.write("OpusHead", 0, "latin1");
  head[8] = 1; // version
  head[9] = 1; // mono
  head.writeUInt16LE(PRE_SKIP, 10);
  head.writeUInt32LE(48_000, 12); // the recording's sample rate
  const vendor = Buffer.from("Bote-Test");
  const tags = Buffer.concat([Buffer.from("OpusTags"), Buffer.alloc(4), vendor, Buffer.alloc(4)]);
  tags.writeUInt32LE(vendor.length, 8);
  const audio = Array.from({ length: frames }, () => SILENT_FRAME);
  return Buffer.concat([
    page([head], 0x02, 0n, 0),
    page([tags], 0x00, 0n, 1),
    page(audio, 0x04, BigInt(PRE_SKIP + frames * SAMPLES_PER_FRAME), 2),
  ]);
}
