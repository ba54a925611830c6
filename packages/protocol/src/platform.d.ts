// The protocol compiles with `"types": []` and no DOM lib, so it cannot touch
// Node or browser APIs by accident. The statements' canonical UTF-8 needs
// these two WHATWG globals, which browsers and Node 20 both provide.

interface TextEncoder {
  encode(input?: string): Uint8Array;
}
declare const TextEncoder: { new (): TextEncoder };

interface TextDecoder {
  decode(input?: Uint8Array): string;
}
declare const TextDecoder: { new (label?: string, options?: { fatal?: boolean }): TextDecoder };
