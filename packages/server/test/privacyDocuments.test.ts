/**
 * The data protection documents (docs/PROTOCOL.md §19) follow the running
 * server: SQLite with the default retention on one side, PostgreSQL with a
 * week and a hosting location on the other, and each text states its own.
 * Their data categories are checked against the tables of the real
 * database: every table is described, and nothing is described that the
 * database does not hold.
 */
import { after, before, it } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { PRIVACY_DOCUMENTS, type ErrorBody, type PrivacyDocumentResponse } from "@bote/protocol";
import { describeEachBackend, startTestServer, type Backend, type TestServer } from "./support/server.js";
import { TestDevice, http } from "./support/device.js";
import { queryRows } from "./support/db.js";
import { dataCategories, notHeld } from "../src/privacy/dataCategories.js";

const DAY = 86_400_000;
const boteVersion = (
  JSON.parse(readFileSync(new URL("../../package.json", import.meta.url), "utf8")) as { version: string }
).version;

/** What each server is started with. */
const setups = {
  sqlite: { days: 30, hosting: undefined, dataDirectory: undefined },
  postgres: { days: 7, hosting: "Hetzner, Falkenstein, Deutschland", dataDirectory: "/srv/bote/daten" },
} as const;

/** Claims of holding something the schema has no place for, as they would read in the documents. */
const NEVER_HELD = {
  de: ["Telefonnummer", "E-Mail-Adresse", "Adressbuch", "Standortdaten", "IP-Adresse", "Klartext"],
  en: ["phone number", "e-mail address", "address book", "location data", "IP address", "plaintext"],
};

describeEachBackend("privacy documents", (backend: Backend) => {
  let s: TestServer;
  let admin: TestDevice;
  let member: TestDevice;
  const setup = setups[backend];
  const docs = new Map<string, PrivacyDocumentResponse>();

  before(async () => {
    s = await startTestServer(backend, (config) => {
      config.envelopeTtlMs = setup.days * DAY;
      config.blobTtlMs = setup.days * DAY;
      config.deployment.hostingLocation = setup.hosting;
      config.deployment.dataDirectory = setup.dataDirectory;
    });
    admin = await TestDevice.join(s, s.adminInvitationToken, "Anna");
    await admin.login();
    member = await TestDevice.join(s, await admin.invite("Bert"));
    await member.login();
    for (const document of PRIVACY_DOCUMENTS) {
      for (const lang of ["de", "en"] as const) {
        const res = await admin.call<PrivacyDocumentResponse>("GET", `/v1/admin/privacy/${document}?lang=${lang}`);
        assert.equal(res.status, 200, JSON.stringify(res.body));
        docs.set(`${document}.${lang}`, res.body);
      }
    }
  });

  after(async () => {
    await s?.close();
  });

  it("states the store, its version, the retention and where the data is hosted", async () => {
    const [{ version }] = (await queryRows(
      s,
      backend === "sqlite" ? "SELECT sqlite_version() AS version" : "SHOW server_version",
    )) as [{ version?: string; server_version?: string }];
    const dbVersion = version ?? (await queryRows(s, "SHOW server_version"))[0]!.server_version;
    const engine = backend === "sqlite" ? "SQLite" : "PostgreSQL";
    const other = backend === "sqlite" ? "PostgreSQL" : "SQLite";
    for (const [key, doc] of docs) {
      const lang = doc.language;
      assert.ok(doc.markdown.includes(`${engine} ${String(dbVersion)}`), `${key} names ${engine} ${String(dbVersion)}`);
      assert.ok(doc.markdown.includes(`Bote ${boteVersion}`), `${key} names the Bote version`);
      assert.ok(doc.markdown.includes(`Node.js ${process.versions.node}`), `${key} names the Node.js version`);
      assert.ok(!doc.markdown.includes(other), `${key} does not speak of ${other}`);
      assert.ok(doc.markdown.includes("Testbau GmbH"), `${key} names the organisation`);
      if (key.startsWith("info") || key.startsWith("record") || key.startsWith("dpia") || key.startsWith("processor")) {
        const days = lang === "de" ? `höchstens ${setup.days} Tage` : `at most ${setup.days} days`;
        assert.ok(doc.markdown.includes(days), `${key} states the retention: ${days}`);
      }
      if (key.startsWith("record") || key.startsWith("toms") || key.startsWith("processor")) {
        const where = setup.hosting ?? (lang === "de" ? "nicht angegeben" : "not given");
        assert.ok(doc.markdown.includes(where), `${key} says where the data is hosted`);
      }
    }
    const toms = docs.get("toms.de")!.markdown;
    assert.equal(toms.includes("secure_delete"), backend === "sqlite", "secure_delete is a measure of SQLite only");
    assert.equal(toms.includes("/srv/bote/daten"), setup.dataDirectory !== undefined);
  });

  it("describes every table of the database, and no category it does not hold", async () => {
    const tables = (
      backend === "sqlite"
        ? await queryRows(s, "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'")
        : await queryRows(s, "SELECT tablename AS name FROM pg_tables WHERE schemaname = current_schema()")
    ).map((r) => String(r.name));
    const described = new Set(dataCategories.flatMap((c) => c.tables));
    for (const table of tables) assert.ok(described.has(table), `the documents describe table ${table}`);
    for (const table of described) {
      // blob_chunks is PostgreSQL's only: SQLite keeps files on disk.
      if (backend === "sqlite" && table === "blob_chunks") continue;
      assert.ok(tables.includes(table), `${table}, described in the documents, exists`);
    }
    for (const [key, doc] of docs) {
      const withoutDenials = doc.markdown.replace(notHeld[doc.language], "");
      for (const term of NEVER_HELD[doc.language]) {
        const claims = withoutDenials
          .split("\n")
          .filter((line) => line.toLowerCase().includes(term.toLowerCase()))
          .filter(
            (line) =>
              !/(nur Ende-zu-Ende-verschlüsselt|only end-to-end encrypted|keine|no |nicht|not |niemals|never)/i.test(
                line,
              ),
          );
        assert.deepEqual(claims, [], `${key} claims no ${term}`);
      }
    }
  });

  it("serves the Art. 13 information to anyone and the others to admins only", async () => {
    const open = await http<PrivacyDocumentResponse>(s, "GET", "/v1/privacy/info?lang=en");
    assert.equal(open.status, 200);
    assert.equal(open.body.title, docs.get("info.en")!.title);
    const german = await http<PrivacyDocumentResponse>(s, "GET", "/v1/privacy/info");
    assert.equal(german.body.language, "de");
    const refused = await member.call<ErrorBody>("GET", "/v1/admin/privacy/record");
    assert.equal(refused.body.error.code, "forbidden");
    assert.equal((await http<ErrorBody>(s, "GET", "/v1/admin/privacy/record")).status, 401);
    const unknown = await admin.call<ErrorBody>("GET", "/v1/admin/privacy/cookies");
    assert.equal(unknown.status, 400);
    const badLang = await admin.call<ErrorBody>("GET", "/v1/admin/privacy/info?lang=fr");
    assert.equal(badLang.status, 400);
  });
});
