// The SDK compiles with `"types": []` and no DOM lib, like the core: network
// access comes only through the ports in ports.ts. These are the few
// globals it uses, which browsers and Node 20 both provide.

interface TextEncoder {
  encode(input?: string): Uint8Array;
}
declare const TextEncoder: { new (): TextEncoder };

interface TextDecoder {
  decode(input?: Uint8Array): string;
}
declare const TextDecoder: { new (label?: string, options?: { fatal?: boolean }): TextDecoder };

declare function setTimeout(callback: () => void, ms: number): unknown;
declare function clearTimeout(handle: unknown): void;

declare const crypto: { getRandomValues<T extends Uint8Array>(array: T): T };

declare class URL {
  constructor(url: string, base?: string);
  protocol: string;
  readonly origin: string;
  pathname: string;
  hash: string;
  toString(): string;
}
