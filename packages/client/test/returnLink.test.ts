import { it } from "node:test";
import assert from "node:assert/strict";
import { ClientError, parseContactPointUrl, parseReturnLink, returnLinkStore } from "@bote/client";

const secret = "A".repeat(42) + "Q";

it("splits a contact point URL into the server and the slug, under a path prefix too", () => {
  assert.deepEqual(parseContactPointUrl("https://bote.example.de/k/dach-schmidt"), {
    serverUrl: "https://bote.example.de/",
    slug: "dach-schmidt",
    fragment: "",
  });
  assert.equal(parseContactPointUrl("https://example.de/bote/k/dach-schmidt/").serverUrl, "https://example.de/bote/");
  for (const bad of [
    "dach-schmidt",
    "ftp://x.de/k/dach",
    "https://x.de/k/Dach",
    "https://x.de/k/a",
    "https://x.de/x/dach",
  ]) {
    assert.throws(
      () => parseContactPointUrl(bad),
      (e: unknown) => e instanceof ClientError,
      bad,
    );
  }
});

it("a return link carries exactly one 32-byte secret in its fragment", async () => {
  const link = parseReturnLink(`https://bote.example.de/k/dach-schmidt#r=${secret}`);
  assert.equal(link.slug, "dach-schmidt");
  assert.equal(link.secret.length, 32);
  for (const fragment of ["", "#r=", `#r=${secret}&r=${secret}`, `#r=${secret}A`, `#x=${secret}`]) {
    assert.throws(
      () => parseReturnLink(`https://bote.example.de/k/dach-schmidt${fragment}`),
      (e: unknown) => e instanceof ClientError && e.code === "return_link_invalid",
      fragment,
    );
  }
  // The store's name is stable for a link and reveals nothing of the secret; name and key differ.
  const a = await returnLinkStore(link.secret);
  const b = await returnLinkStore(parseReturnLink(`https://bote.example.de/k/dach-schmidt#r=${secret}`).secret);
  assert.equal(a.name, b.name);
  assert.match(a.name, /^inquiry-[A-Za-z0-9_-]{22}$/);
  assert.ok(!a.name.includes(secret.slice(0, 10)));
  assert.equal(a.key.length, 32);
});
