/**
 * The mailbox without a socket, as a service worker woken by a push reads
 * it: entries fetched over HTTP, processed exactly as pushed ones are, and
 * acknowledged only after what they carried is stored.
 */
import { create } from "@bufbuild/protobuf";
import { EntrySchema } from "@bote/protocol";
import type { ClientContext } from "./context.js";
import { processEntries } from "./incoming.js";
import { bytesFrom } from "./ServerApi.js";

/** A woken device reads at most this many answers (of up to 64 entries); the rest waits for the socket. */
const MAX_ROUNDS = 8;

export async function fetchPendingEntries(ctx: ClientContext): Promise<void> {
  for (let round = 0; round < MAX_ROUNDS; round++) {
    const answer = await ctx.session.api.fetchEntries();
    if (answer.entries.length === 0) return;
    const entries = answer.entries.map((e) =>
      create(EntrySchema, {
        entryId: BigInt(e.entryId),
        mailboxId: bytesFrom(e.mailboxId, "mailboxId"),
        payload: bytesFrom(e.payload, "payload"),
      }),
    );
    await processEntries(ctx, entries);
    await ctx.session.api.ackEntries(answer.entries.map((e) => e.entryId));
    if (!answer.more) return;
  }
}
