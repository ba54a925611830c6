/**
 * One canonical origin: the server's public URL. The WebSocket accepts no
 * other browser origin, and a device's keys live in the storage of the
 * origin it was made on; so a device made on another address (the server's
 * IP, 127.0.0.1 beside localhost) would stay offline for good, with its
 * invitation used up. Before the app opens a device, redeems an invitation
 * or logs in, it asks the server for its public URL and moves there,
 * keeping the fragment that holds the link's secret, or says why it cannot.
 */
import { signal } from "@preact/signals";
import type { HealthResponse } from "@bote/protocol/light";

export interface PageAddress {
  readonly href: string;
  readonly origin: string;
  readonly pathname: string;
  readonly search: string;
  readonly hash: string;
  /** `isSecureContext`: HTTPS, or localhost. */
  readonly secure: boolean;
}

export type OriginVerdict =
  | { kind: "canonical" }
  /** Another address of the same server: go to the public URL, with path, query and fragment. */
  | { kind: "move"; publicUrl: string; to: string }
  /** The public URL is a loopback address and this page is on another machine: it cannot get there. */
  | { kind: "elsewhere"; publicUrl: string; here: string }
  /** Plain HTTP beyond localhost: no WebCrypto, no service worker, no camera. */
  | { kind: "insecure"; here: string };

/** What the page should do, given where it is and the public URL the server names (undefined: no answer). */
export function judgeOrigin(here: PageAddress, publicUrl: string | undefined): OriginVerdict {
  const target = publicUrl === undefined ? undefined : parseHttpUrl(publicUrl);
  if (target !== undefined && target.origin !== here.origin) {
    if (isLoopback(target.hostname) && !isLoopback(new URL(here.href).hostname)) {
      return { kind: "elsewhere", publicUrl: target.origin, here: here.origin };
    }
    // A public URL with a path (behind a proxy) keeps it; the app's own path follows it.
    const base = target.pathname.replace(/\/$/, "");
    const path = base !== "" && here.pathname.startsWith(`${base}/`) ? here.pathname.slice(base.length) : here.pathname;
    return { kind: "move", publicUrl: target.origin, to: `${target.origin}${base}${path}${here.search}${here.hash}` };
  }
  if (!here.secure) return { kind: "insecure", here: here.origin };
  return { kind: "canonical" };
}

function parseHttpUrl(text: string): URL | undefined {
  try {
    const url = new URL(text);
    return url.protocol === "http:" || url.protocol === "https:" ? url : undefined;
  } catch {
    return undefined;
  }
}

/** Names that only ever reach the machine they are typed on. */
export function isLoopback(hostname: string): boolean {
  const host = hostname.toLowerCase();
  return (
    host === "localhost" ||
    host.endsWith(".localhost") ||
    /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(host) ||
    host === "[::1]" ||
    host === "::1"
  );
}

/** Set once the page is anywhere but the public URL; the app then shows only that (ui/OriginScreen.tsx). */
export const originVerdict = signal<Exclude<OriginVerdict, { kind: "canonical" }> | undefined>(undefined);

/**
 * True when this page is on the public URL (or the server does not answer,
 * as when an installed app starts offline: then nothing can be redeemed or
 * logged into anyway). Otherwise it moves the page there or says why not,
 * and answers false: nothing may be spent here.
 */
export async function arriveAtPublicUrl(): Promise<boolean> {
  const verdict = judgeOrigin(
    {
      href: location.href,
      origin: location.origin,
      pathname: location.pathname,
      search: location.search,
      hash: location.hash,
      secure: globalThis.isSecureContext && globalThis.crypto?.subtle !== undefined,
    },
    await fetchPublicUrl(),
  );
  if (verdict.kind === "canonical") return true;
  originVerdict.value = verdict;
  if (verdict.kind === "move") location.replace(verdict.to);
  return false;
}

async function fetchPublicUrl(): Promise<string | undefined> {
  try {
    const response = await fetch("/healthz", { cache: "no-store", signal: AbortSignal.timeout(5_000) });
    if (!response.ok) return undefined;
    const body = (await response.json()) as Partial<HealthResponse>;
    return typeof body.publicUrl === "string" ? body.publicUrl : undefined;
  } catch {
    return undefined;
  }
}
