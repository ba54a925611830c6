/** Argument parsing for the bote command; every user error is a sentence in the user's language and exit code 2. */
import { Command, CommanderError, Option } from "commander";
import type { serve as Serve } from "./serve.js";
import { messages, UsageError } from "./messages.js";
import { registerClientCommands } from "./client/commands/index.js";
import { describeFailure } from "./client/session.js";
import { Interrupted } from "./client/readSecretLine.js";
import { registerStoreCommands, storeCommandNames } from "./storeCommands.js";

/** Every command and option of `bote`, with its help texts; parsing nothing yet. */
export function buildProgram(): Command {
  const program = new Command("bote")
    .description(
      "Bote — Ende-zu-Ende-verschlüsselter Messenger für Unternehmen / end-to-end-encrypted business messenger",
    )
    .exitOverride()
    .configureOutput({ writeErr: () => undefined });
  program
    .command("serve")
    .description("Startet den Server / runs the server")
    .option("--data <dir>", "Datenverzeichnis / data directory", "./data")
    .option("--port <n>", "TCP-Port / TCP port (8080; 443 mit/with --domain)")
    .option("--host <addr>", "Adresse zum Lauschen / address to listen on", "0.0.0.0")
    .option("--public-url <url>", "öffentliche Adresse / public base URL (http://localhost:PORT)")
    .option(
      "--domain <name>",
      "HTTPS mit Zertifikat per ACME, öffentliche Adresse https://DOMAIN / HTTPS with an ACME certificate, public URL https://DOMAIN",
    )
    .option("--http-port <n>", "mit --domain: HTTP-Port für ACME und Umleitung / with --domain: HTTP port (80)")
    .option(
      "--acme-directory <url>",
      "mit --domain: ACME-Verzeichnis der CA / with --domain: the CA's ACME directory (Let's Encrypt)",
    )
    .option(
      "--acme-ca <file>",
      "mit --domain: weitere CA für den ACME-Server / with --domain: extra CA for the ACME server",
    )
    .option("--acme-email <address>", "mit --domain: Kontakt für die CA / with --domain: contact for the CA")
    .option("--database <url>", "PostgreSQL statt SQLite / PostgreSQL instead of SQLite (postgres://…)")
    .option("--nats <url>", "NATS weckt andere Knoten / NATS wakes other nodes (nats://…; with --database)")
    .option("--nats-prefix <prefix>", "Präfix der NATS-Subjects / NATS subject prefix", "bote")
    .option(
      "--blobs <dir>",
      "Verzeichnis für Dateien / directory for files (default DATA/blobs; PostgreSQL with --database)",
    )
    .option("--secrets <file>", "Datei der Server-Geheimnisse / server secrets file (default DATA/server-secrets.json)")
    .option("--org-name <name>", "Name der Organisation beim ersten Start / organisation name on first start", "Bote")
    .addOption(
      new Option(
        "--hosting-location <text>",
        'wo Server und Daten liegen, für die Datenschutz-Dokumente / where server and data are hosted, for the privacy documents (e.g. "Hetzner, Falkenstein, Deutschland")',
      ).env("BOTE_HOSTING_LOCATION"),
    )
    .addOption(new Option("--sqlite-sync <mode>", "SQLite synchronous: full | normal").default("full"))
    .option("--log-level <level>", "info | warn | error | debug", "info")
    .option(
      "--retention-days <n>",
      "Tage, die ungelesene Nachrichten und Dateien bleiben / days undelivered messages and files are kept (1–365)",
      "30",
    )
    .option("--blob-max-mb <n>", "größte Datei in MB / largest file in MB (1–2048)", "100")
    .option("--trust-proxy", "X-Forwarded-For eines Reverse-Proxys vertrauen / trust a reverse proxy's X-Forwarded-For")
    .option(
      "--recovery-invite",
      "Einladung, die nur mit dem Wiederherstellungs-Kit einzulösen ist / an invitation only the recovery kit can redeem",
    )
    .option(
      "--public-rate-limit <n>",
      "Anfragen pro Minute und Adresse an offene Endpunkte / requests per minute and address to open endpoints",
      "30",
    )
    .option(
      "--max-sockets-per-address <n>",
      "offene WebSockets pro Adresse (IPv6 pro /64) / open WebSockets per address (IPv6 per /64)",
      "50",
    )
    .option(
      "--max-sockets-awaiting-hello <n>",
      "WebSockets ohne Hello, insgesamt / WebSockets without a Hello, in all",
      "200",
    )
    .option(
      "--key-package-fetch-limit <n>",
      "Schlüsselpaket-Abrufe pro Minute und Konto / key package fetches per minute and requesting account (1–100000)",
      "60",
    )
    .option(
      "--one-time-key-package-limit <n>",
      "Einmal-Schlüsselpakete pro Stunde und Gerät, danach das Reservepaket / one-time key packages per hour and device, then the last-resort one (0–100000)",
      "30",
    )
    .option(
      "--inquiry-rate-limit <n>",
      "neue Kundenanfragen pro Stunde und Adresse / new customer inquiries per hour and address (1–1000000)",
      "10",
    )
    .option(
      "--contact-point-rate-limit <n>",
      "neue Kundenanfragen pro Stunde und Kontaktpunkt / new customer inquiries per hour and contact point (1–1000000)",
      "200",
    )
    .option(
      "--proof-of-work-bits <n>",
      "Schwierigkeit der Rechenaufgabe bei Andrang, 0 = aus / difficulty of the puzzle under load, 0 = off (0–32)",
      "18",
    )
    .option(
      "--proof-of-work-always",
      "Rechenaufgabe für jede neue Anfrage / puzzle for every new inquiry, not only under load",
    )
    .option(
      "--metrics",
      "Prometheus-Metriken unter /metrics auch am Hauptport / Prometheus metrics at /metrics on the main port too",
    )
    .option("--metrics-port <n>", "eigener Port für /metrics (1–65535) / a port of its own for /metrics (1–65535)")
    .option(
      "--metrics-host <addr>",
      "mit --metrics-port: Adresse dieses Ports / with --metrics-port: address to listen on (127.0.0.1)",
    )
    .addOption(
      new Option(
        "--web-root <dir>",
        "Verzeichnis der gebauten Web-App / directory of the built web app (default: the web package's build)",
      ).env("BOTE_WEB_ROOT"),
    )
    .action(async (options) => {
      // Loaded only here: fastify, pg and nats cost every client command a second at start otherwise.
      const { serve } = await import("./serve.js");
      await serve(options as Parameters<typeof Serve>[0]);
    });
  registerStoreCommands(program);
  registerClientCommands(program);
  return program;
}

export async function runCli(argv: string[]): Promise<number> {
  const t = messages();
  const program = buildProgram();
  try {
    await program.parseAsync(argv, { from: "user" });
    return 0;
  } catch (error) {
    if (error instanceof CommanderError) {
      if (error.code === "commander.helpDisplayed" || error.code === "commander.version") return 0;
      if (error.code === "commander.help") {
        process.stdout.write(program.helpInformation());
        return 0;
      }
      console.error(commanderMessage(error, t));
      return 2;
    }
    if (error instanceof UsageError) {
      console.error(error.message);
      return 2;
    }
    // Ctrl-C at a question read in raw mode: the command unwound and closed its profile; 128 + SIGINT, as a shell expects.
    if (error instanceof Interrupted) return 130;
    if (argv[0] === "serve") {
      console.error(t.startFailed(error instanceof Error ? error.message : String(error)));
      return 1;
    }
    if (storeCommandNames.has(argv[0] ?? "")) {
      console.error(error instanceof Error ? error.message : String(error));
      return 1;
    }
    // A client command: one sentence (or with --json one object) on stderr, exit code 1.
    const failure = describeFailure(error);
    console.error(
      argv.includes("--json") ? JSON.stringify({ error: { code: failure.code, message: failure.text } }) : failure.text,
    );
    return 1;
  }
}

function commanderMessage(error: CommanderError, t: ReturnType<typeof messages>): string {
  const detail = error.message.replace(/^error: /, "");
  switch (error.code) {
    case "commander.unknownOption":
      return t.unknownOption(detail.replace(/^unknown option /, ""));
    case "commander.unknownCommand":
      return t.unknownCommand(detail.replace(/^unknown command /, ""));
    case "commander.missingArgument":
    case "commander.optionMissingArgument":
      return t.missingArgument(detail);
    default:
      return detail;
  }
}
