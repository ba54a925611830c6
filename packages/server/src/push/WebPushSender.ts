/**
 * Sends one push (RFC 8030) with the `web-push` library doing the standard
 * parts — the aes128gcm encryption for the subscription (RFC 8291) and the
 * VAPID token (RFC 8292) — and Node's fetch the POST, with a timeout. The
 * payload is always PUSH_PAYLOAD, the topic always PUSH_TOPIC: a push tells
 * the push service nothing a push of any other message would not.
 */
import webPush from "web-push";
import { PUSH_PAYLOAD, PUSH_TOPIC, encodeBase64url } from "@bote/protocol";
import type { PushSubscription } from "../store/ServerStore.js";
import type { VapidKeys } from "./VapidKeys.js";

/** gone: the push service no longer knows the subscription (404, 410), which is then deleted. */
export type PushOutcome = "sent" | "gone" | "failed";

export interface PushSender {
  send(subscription: PushSubscription): Promise<PushOutcome>;
}

export interface WebPushOptions {
  /** RFC 8292 `sub`: a contact for the push service, an https: or mailto: URL. */
  subject: string;
  ttlSeconds: number;
  timeoutMs: number;
}

/** The public URL when it is https (push services want a reachable contact), else a placeholder mailbox. */
export function vapidSubject(publicUrl: string): string {
  const url = new URL(publicUrl);
  return url.protocol === "https:" && url.hostname !== "localhost" ? url.origin : "mailto:postmaster@localhost";
}

export class WebPushSender implements PushSender {
  constructor(
    private readonly keys: VapidKeys,
    private readonly options: WebPushOptions,
  ) {}

  async send(subscription: PushSubscription): Promise<PushOutcome> {
    const details = webPush.generateRequestDetails(
      {
        endpoint: subscription.endpoint,
        keys: { p256dh: encodeBase64url(subscription.p256dh), auth: encodeBase64url(subscription.auth) },
      },
      PUSH_PAYLOAD,
      {
        vapidDetails: {
          subject: this.options.subject,
          publicKey: this.keys.publicKey,
          privateKey: this.keys.privateKey,
        },
        TTL: this.options.ttlSeconds,
        urgency: "high",
        topic: PUSH_TOPIC,
        contentEncoding: "aes128gcm",
      },
    );
    const headers: Record<string, string> = {};
    // fetch sets the length itself.
    for (const [name, value] of Object.entries(details.headers)) {
      if (name.toLowerCase() !== "content-length") headers[name] = String(value);
    }
    const response = await fetch(details.endpoint, {
      method: "POST",
      headers,
      body: details.body,
      redirect: "manual",
      signal: AbortSignal.timeout(this.options.timeoutMs),
    });
    await response.body?.cancel();
    if (response.status === 404 || response.status === 410) return "gone";
    return response.ok ? "sent" : "failed";
  }
}
