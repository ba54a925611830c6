/**
 * How the SDK reaches the network: two small ports, so the same code runs on
 * Node (the CLI adapts `fetch` and `ws`) and in the browser (`fetch` and
 * `WebSocket`), and tests can see every request.
 */

export interface HttpRequest {
  readonly method: "GET" | "POST" | "DELETE";
  /** Path and query below the server URL, e.g. "/v1/me". */
  readonly path: string;
  readonly headers: Readonly<Record<string, string>>;
  /** JSON text, bytes, or a stream of bytes (blob uploads). */
  readonly body?: string | Uint8Array | AsyncIterable<Uint8Array>;
}

export interface HttpResponse {
  readonly status: number;
  header(name: string): string | undefined;
  /** The body as a stream; read it once, either this way or with `bytes`. */
  stream(): AsyncIterable<Uint8Array>;
  bytes(): Promise<Uint8Array>;
}

export type HttpTransport = (serverUrl: string, request: HttpRequest) => Promise<HttpResponse>;

export interface SocketHandlers {
  onOpen(): void;
  onMessage(data: Uint8Array): void;
  /** Also called when the socket could not be opened at all. */
  onClose(code: number, reason: string): void;
}

export interface RelaySocket {
  send(data: Uint8Array): void;
  close(code?: number, reason?: string): void;
}

export type OpenSocket = (url: string, handlers: SocketHandlers) => RelaySocket;

export interface Transport {
  readonly http: HttpTransport;
  readonly openSocket: OpenSocket;
}
