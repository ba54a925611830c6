// The core compiles with `"types": []` and no DOM lib, so it cannot touch
// Node or browser APIs by accident. These are the few WHATWG globals it does
// use, declared by hand because both browsers and Node 20 provide them.

interface TextEncoder {
  encode(input?: string): Uint8Array;
}
declare const TextEncoder: { new (): TextEncoder };

interface TextDecoder {
  decode(input?: Uint8Array): string;
}
declare const TextDecoder: { new (label?: string, options?: { fatal?: boolean }): TextDecoder };
