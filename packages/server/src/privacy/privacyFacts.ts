/**
 * What the data protection documents say about this installation, taken
 * from the running server: its configuration, the store it opened and the
 * versions it runs. Nothing here is typed in by hand except the hosting
 * location, which only the operator knows.
 */
import { readFileSync } from "node:fs";
import type { ServerConfig } from "../config.js";
import type { ServerStore } from "../store/ServerStore.js";

export interface PrivacyFacts {
  organisation: string;
  publicUrl: string;
  /** The host name people reach the server at. */
  host: string;
  store: "sqlite" | "postgres";
  blobs: "files" | "postgres";
  bus: "local" | "nats";
  tls: "acme" | "proxy" | "none";
  dataDirectory: string | undefined;
  hostingLocation: string | undefined;
  versions: { bote: string; node: string; database: string };
  /** Days a queued entry and a file are kept at most. */
  entryDays: number;
  fileDays: number;
  fileMaxMb: number;
  sessionMinutes: number;
  challengeMinutes: number;
  guestIdleDays: number;
  /** Requests per minute and address on the unauthenticated endpoints. */
  publicPerMinute: number;
  guestsPerAddressPerHour: number;
}

/** The version of this package, read once from its package.json. */
export const boteVersion: string = (() => {
  try {
    const pkg = JSON.parse(readFileSync(new URL("../../../package.json", import.meta.url), "utf8")) as {
      version?: unknown;
    };
    return typeof pkg.version === "string" ? pkg.version : "unknown";
  } catch {
    return "unknown";
  }
})();

const days = (ms: number): number => Math.round(ms / 86_400_000);

export async function privacyFacts(
  config: ServerConfig,
  store: ServerStore,
  organisationName: string,
): Promise<PrivacyFacts> {
  const url = new URL(config.publicUrl);
  return {
    organisation: organisationName,
    publicUrl: url.origin,
    host: url.hostname,
    store: store.kind,
    blobs: config.deployment.blobs,
    bus: config.deployment.bus,
    tls: url.protocol === "https:" && config.deployment.tls === "none" ? "proxy" : config.deployment.tls,
    dataDirectory: config.deployment.dataDirectory,
    hostingLocation: config.deployment.hostingLocation,
    versions: { bote: boteVersion, node: process.versions.node, database: await store.databaseVersion() },
    entryDays: days(config.envelopeTtlMs),
    fileDays: days(config.blobTtlMs),
    fileMaxMb: Math.round(config.blobMaxBytes / (1024 * 1024)),
    sessionMinutes: Math.round(config.sessionTtlMs / 60_000),
    challengeMinutes: Math.max(1, Math.round(config.challengeTtlMs / 60_000)),
    guestIdleDays: days(config.guests.idleMs),
    publicPerMinute: config.rateLimits.publicPerMinute,
    guestsPerAddressPerHour: config.rateLimits.guestsPerAddressPerHour,
  };
}
