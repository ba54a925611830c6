/**
 * What the transport test page runs (bundled by esbuild): the browser
 * transport against the Bote server behind the page's own origin, and the
 * SDK on top of it. Answers are JSON.
 */
import { ClientError, joinWithInvitation } from "@bote/client";
import { IndexedDbClientStore } from "../../src/store/IndexedDbClientStore.js";
import { browserTransport } from "../../src/platform/browserTransport.js";

const transport = browserTransport();
const text = new TextDecoder();

async function healthz(serverUrl: string) {
  const response = await transport.http(serverUrl, { method: "GET", path: "/healthz", headers: {} });
  const body = text.decode(await response.bytes());
  let again: string;
  try {
    await response.bytes();
    again = "read twice";
  } catch (error) {
    again = String((error as Error).message);
  }
  return { status: response.status, contentType: response.header("Content-Type"), body, again };
}

/** POSTs `size` bytes as an async iterable of small chunks; the test's /echo route answers what arrived. */
async function echo(serverUrl: string, size: number) {
  async function* chunks() {
    for (let at = 0; at < size; at += 1000) {
      yield Uint8Array.from({ length: Math.min(1000, size - at) }, (_, i) => (at + i) & 0xff);
      await new Promise((resolve) => setTimeout(resolve, 0));
    }
  }
  const response = await transport.http(serverUrl, {
    method: "POST",
    path: "echo",
    headers: { "content-type": "application/octet-stream", "content-length": String(size) },
    body: chunks(),
  });
  const pieces: number[] = [];
  let total = 0;
  for await (const piece of response.stream()) {
    pieces.push(piece.length);
    total += piece.length;
  }
  return { status: response.status, answer: response.header("x-echo"), total };
}

/** Opens a socket and reports what happens; with `hello`, sends those bytes on open. */
function socket(url: string, hello?: number[]) {
  return new Promise<{ opened: boolean; messages: number; code: number; reason: string }>((resolve) => {
    let opened = false;
    let messages = 0;
    const s = transport.openSocket(url, {
      onOpen: () => {
        opened = true;
        if (hello !== undefined) s.send(Uint8Array.from(hello));
      },
      onMessage: (data) => {
        if (data instanceof Uint8Array && data.length > 0) messages++;
      },
      onClose: (code, reason) => resolve({ opened, messages, code, reason }),
    });
  });
}

/** What the SDK makes of the transport's failure when nothing listens at `serverUrl`. */
async function offline(serverUrl: string) {
  try {
    await transport.http(serverUrl, { method: "GET", path: "/healthz", headers: {} });
    return { transport: "answered" };
  } catch (error) {
    const e = error as Error;
    return { transport: `${e.name}: ${e.message}`, sdk: await sdkOffline(serverUrl) };
  }
}

async function sdkOffline(serverUrl: string) {
  const store = await IndexedDbClientStore.open(`bote-offline-${Math.random()}`);
  try {
    await joinWithInvitation({
      invitationLink: `${serverUrl}/join#t=${"A".repeat(43)}`,
      displayName: "Niemand",
      store,
      transport,
    });
    return "joined";
  } catch (error) {
    return error instanceof ClientError ? error.code : `not a ClientError: ${String(error)}`;
  } finally {
    await store.close();
  }
}

/** The first admin joins through the browser transport: JSON over fetch, then the relay socket's hello. */
async function join(invitationLink: string) {
  const store = await IndexedDbClientStore.open(`bote-join-${Math.random()}`);
  const client = await joinWithInvitation({ invitationLink, displayName: "Erste Admin", store, transport });
  try {
    const invitation = await client.createInvitation("member", "Bernd Bau");
    return { role: (await store.getProfile())?.role, invitation: invitation.url };
  } finally {
    await client.close();
  }
}

const api = { healthz, echo, socket, offline, join };
export type TransportPageApi = typeof api;
(globalThis as unknown as { boteTransport: TransportPageApi }).boteTransport = api;
