/** Whether NATS answers for the distributed-mode tests; under CI=true it must. */
import { connect } from "node:net";

export const natsUrl = process.env.BOTE_TEST_NATS ?? "nats://127.0.0.1:4222";

let reachable: Promise<string | undefined> | undefined;

/** undefined when NATS answers; otherwise the reason to skip (printed). */
export function natsSkipReason(): Promise<string | undefined> {
  reachable ??= new Promise<string | undefined>((resolve, reject) => {
    const url = new URL(natsUrl);
    const socket = connect({ host: url.hostname, port: Number(url.port || 4222) });
    const timer = setTimeout(() => fail("no answer within 2 s"), 2000);
    socket.once("data", (chunk) => {
      clearTimeout(timer);
      socket.destroy();
      if (chunk.toString().startsWith("INFO")) resolve(undefined);
      else fail("not a NATS server");
    });
    socket.once("error", (error) => {
      clearTimeout(timer);
      fail(error.message);
    });
    function fail(why: string) {
      socket.destroy();
      const reason = `NATS not reachable at ${natsUrl}: ${why}`;
      if (process.env.CI === "true") return reject(new Error(`${reason} (CI=true: NATS tests must run)`));
      console.log(`# skipping NATS tests: ${reason}`);
      resolve(reason);
    }
  });
  return reachable;
}
