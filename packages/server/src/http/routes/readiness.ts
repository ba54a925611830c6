/**
 * GET /readyz: whether this node can do its work now, for a load balancer
 * or a monitor. /healthz only says the process answers; a node whose
 * database is down or whose disk is full stays alive but is not ready
 * (issue 14). Every check does real work (a committed write, a synced file,
 * a NATS round trip), so the verdict is kept for a second: a monitor polling
 * often, or many at once, cost one round of checks per second at most.
 */
import type { FastifyInstance } from "fastify";
import type { ReadinessCheck, ReadinessResponse } from "@bote/protocol";
import type { ServerContext } from "../context.js";
import { secretsMatchStore } from "../../secrets/openServerSecrets.js";

const VERDICT_TTL_MS = 1_000;
/** A database or NATS that does not answer within this is as good as down for a client waiting on it. */
const CHECK_TIMEOUT_MS = 2_000;

type Outcome = ReadinessResponse["checks"][ReadinessCheck];

export function readinessRoutes(app: FastifyInstance, ctx: ServerContext): void {
  let verdict: { at: number; response: Promise<ReadinessResponse> } | undefined;
  app.get("/readyz", async (_request, reply) => {
    const now = Date.now();
    if (verdict === undefined || now - verdict.at >= VERDICT_TTL_MS) {
      verdict = { at: now, response: checkReadiness(ctx) };
    }
    const response = await verdict.response;
    return reply
      .code(response.status === "ready" ? 200 : 503)
      .header("cache-control", "no-store")
      .send(response);
  });
}

export async function checkReadiness(ctx: ServerContext): Promise<ReadinessResponse> {
  const { store, blobs, bus, secrets, log } = ctx;
  const probe = bus.probe?.bind(bus);
  const checks: [ReadinessCheck, (() => Promise<unknown>) | undefined][] = [
    ["database", () => store.probeWrite(ctx.now())],
    ["blobs", () => blobs.probeWrite()],
    [
      "bus",
      probe === undefined ? undefined : async () => ((await probe()) ? true : Promise.reject(new Error("bus closed"))),
    ],
    [
      "secrets",
      async () =>
        (await secretsMatchStore(store, secrets)) ? true : Promise.reject(new Error("secrets do not match the store")),
    ],
  ];
  const outcomes = await Promise.all(
    checks.map(async ([name, run]): Promise<[ReadinessCheck, Outcome]> => {
      if (run === undefined) return [name, "skipped"];
      try {
        await withTimeout(run());
        return [name, "ok"];
      } catch (error) {
        log.warn({ err: error, check: name }, "readiness check failed");
        return [name, "failed"];
      }
    }),
  );
  const failed = outcomes.filter(([, outcome]) => outcome === "failed").map(([name]) => name);
  return {
    status: failed.length === 0 ? "ready" : "unready",
    checks: Object.fromEntries(outcomes) as ReadinessResponse["checks"],
    failed,
  };
}

function withTimeout<T>(work: Promise<T>): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_resolve, reject) => {
    timer = setTimeout(() => reject(new Error(`no answer within ${CHECK_TIMEOUT_MS} ms`)), CHECK_TIMEOUT_MS);
  });
  return Promise.race([work, timeout]).finally(() => clearTimeout(timer));
}
