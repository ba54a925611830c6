/**
 * Why `bote serve --domain` has no certificate or no port: one code of the
 * registry and the reason the CA (or the system) gave, which the operator
 * needs to fix it (e.g. "DNS problem: NXDOMAIN looking up A for …").
 */
import { BoteError } from "@bote/protocol";

export type TlsErrorCode = "acme_unreachable" | "acme_validation_failed" | "acme_failed" | "port_unavailable";

export class TlsError extends BoteError {
  override readonly code: TlsErrorCode;
  constructor(
    code: TlsErrorCode,
    readonly reason: string,
    options?: { cause?: unknown },
  ) {
    super(code);
    this.code = code;
    this.name = "TlsError";
    this.message = `${code}: ${reason}`;
    if (options?.cause !== undefined) this.cause = options.cause;
  }
}

/** No answer from the other side at all (refused, no route, timeout, a TLS certificate it does not trust). */
export function isNetworkFailure(error: unknown): boolean {
  if (isSpentRetry(error)) return true;
  if (typeof error !== "object" || error === null) return false;
  const e = error as { isAxiosError?: boolean; response?: unknown; code?: unknown };
  return e.isAxiosError === true && e.response === undefined;
}

/** acme-client 5.4 turns a request that never got an answer, once its retries are spent, into this TypeError. */
function isSpentRetry(error: unknown): boolean {
  return error instanceof TypeError && error.message.includes("reading 'config'");
}

export function reasonOf(error: unknown): string {
  if (isSpentRetry(error)) return "no answer from the CA";
  if (typeof error !== "object" || error === null) return String(error);
  const e = error as { message?: unknown; code?: unknown };
  const message = typeof e.message === "string" ? e.message : JSON.stringify(error);
  return typeof e.code === "string" && !message.includes(e.code) ? `${message} (${e.code})` : message;
}
