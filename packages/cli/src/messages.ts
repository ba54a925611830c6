/**
 * What the bote command says to people, in German and English. The language
 * follows LANG / LC_ALL / LC_MESSAGES; German unless they ask for English.
 */
export type Language = "de" | "en";

export function cliLanguage(env: NodeJS.ProcessEnv = process.env): Language {
  const value = env.LC_ALL || env.LC_MESSAGES || env.LANG || "";
  return value.toLowerCase().startsWith("en") ? "en" : "de";
}

const de = {
  invalidPort: (v: string) => `Ungültiger Port „${v}“: erwartet wird eine Zahl von 0 bis 65535.`,
  invalidUrl: (v: string) => `Ungültige Adresse „${v}“: erwartet wird eine http(s)-URL.`,
  invalidDatabase: (v: string) => `Ungültige Datenbank „${v}“: erwartet wird postgres://…`,
  invalidRetention: (v: string) => `Ungültige Aufbewahrung „${v}“: erwartet wird eine Zahl von 1 bis 365 (Tage).`,
  invalidHostingLocation:
    "Ungültiger --hosting-location: erwartet wird ein Text von 1 bis 200 Zeichen ohne Steuerzeichen.",
  invalidBlobMax: (v: string) => `Ungültige Dateigröße „${v}“: erwartet wird eine Zahl von 1 bis 2048 (MB).`,
  invalidNats: (v: string) => `Ungültige NATS-Adresse „${v}“: erwartet wird nats://…`,
  natsNeedsDatabase: "--nats verbindet mehrere Knoten und braucht dafür --database (PostgreSQL).",
  invalidNatsPrefix: (v: string) => `Ungültiges NATS-Präfix „${v}“: erlaubt sind Buchstaben, Ziffern, _ und -.`,
  invalidRateLimit: (v: string) =>
    `Ungültige Rate „${v}“: erwartet wird eine positive ganze Zahl (Anfragen pro Minute).`,
  invalidSocketCap: (flag: string, v: string) =>
    `Ungültiger Wert „${v}“ für ${flag}: erwartet wird eine positive ganze Zahl (Verbindungen).`,
  invalidHourlyLimit: (flag: string, v: string) =>
    `Ungültiger Wert „${v}“ für ${flag}: erwartet wird eine ganze Zahl von 1 bis 1000000 (pro Stunde).`,
  invalidProofOfWorkBits: (v: string) =>
    `Ungültiger Wert „${v}“ für --proof-of-work-bits: erwartet wird eine Zahl von 0 bis 32 (0 schaltet die Rechenaufgabe ab).`,
  invalidSync: (v: string) => `Ungültiger Wert „${v}“ für --sqlite-sync: erlaubt sind full und normal.`,
  invalidMetricsPort: (v: string) =>
    `Ungültiger Port „${v}“ für --metrics-port: erwartet wird eine Zahl von 1 bis 65535.`,
  metricsPortIsMainPort: (v: number) =>
    `--metrics-port ${v} ist schon der Hauptport (--port); für /metrics am Hauptport gibt es --metrics.`,
  invalidMetricsHost: (v: string) =>
    `Ungültige Adresse „${v}“ für --metrics-host: erwartet wird eine IP-Adresse oder ein Rechnername wie 127.0.0.1.`,
  metricsHostNeedsPort: "--metrics-host gilt nur zusammen mit --metrics-port.",
  metricsListening: (url: string) => `Metriken für Prometheus unter ${url}`,
  invalidWebRoot: (v: string) => `Ungültiges Verzeichnis „${v}“ für --web-root: es gibt kein solches Verzeichnis.`,
  webAppMissing: (dir: string) =>
    `Die Web-App ist nicht gebaut (${dir} fehlt); Bote läuft ohne sie, bis sie mit „npm run build“ gebaut ist.`,
  unknownOption: (v: string) => `Unbekannte Option: ${v}`,
  unknownCommand: (v: string) => `Unbekannter Befehl: ${v}`,
  missingArgument: (v: string) => `Es fehlt ein Wert: ${v}`,
  listening: (url: string) => `Bote läuft auf ${url}`,
  firstInvite:
    "Einladung für die erste Administratorin / den ersten Administrator (einmalig gültig) – im Browser öffnen oder mit `bote join` einlösen:",
  firstInviteSaved: (file: string) => `Auch gespeichert in ${file}; die Datei wird nach dem Einlösen gelöscht.`,
  recoveryInvite:
    "Einladung zur Wiederherstellung der Verwaltung (einmalig, 24 Stunden gültig) – nur mit dem Wiederherstellungs-Kit der Organisation einzulösen: `bote join <Link> --recovery-kit <Datei> --name <Name>`:",
  recoveryInviteSaved: (file: string) => `Auch gespeichert in ${file}; die Datei wird nach dem Einlösen gelöscht.`,
  recoveryInviteNoKey:
    "--recovery-invite: Diese Organisation hat noch keinen Organisationsschlüssel; die erste Einladung genügt.",
  stopping: "Bote wird beendet …",
  startFailed: (reason: string) => `Bote konnte nicht starten: ${reason}`,
  invalidDomain: (v: string) =>
    `Ungültige Domain „${v}“: erwartet wird ein Rechnername wie chat.example.de, ohne https:// und ohne Port.`,
  domainWithPublicUrl:
    "--domain legt die öffentliche Adresse selbst fest (https://DOMAIN); bitte --public-url weglassen.",
  domainPortZero: "--port 0 geht nicht mit --domain: Die öffentliche Adresse braucht einen festen Port.",
  needsDomain: (flag: string) => `${flag} gilt nur zusammen mit --domain.`,
  invalidHttpPort: (v: string) => `Ungültiger Port „${v}“ für --http-port: erwartet wird eine Zahl von 1 bis 65535.`,
  invalidAcmeDirectory: (v: string) =>
    `Ungültige ACME-Adresse „${v}“ für --acme-directory: erwartet wird eine https-URL wie https://acme-v02.api.letsencrypt.org/directory.`,
  invalidAcmeCa: (v: string) => `„${v}“ für --acme-ca ist keine lesbare Datei mit PEM-Zertifikaten.`,
  invalidEmail: (v: string) => `Ungültige E-Mail-Adresse „${v}“ für --acme-email.`,
  tlsStarting: (domain: string) =>
    `HTTPS für ${domain}: Das Zertifikat wird geladen oder bei der Zertifizierungsstelle beantragt …`,
  tlsFailed: (text: string, reason: string, code: string) => `${text} Grund: ${reason} [${code}]`,
};

export type Messages = typeof de;

// Typed as the German catalog: a key missing in English does not compile.
const en: Messages = {
  invalidPort: (v: string) => `Invalid port "${v}": expected a number from 0 to 65535.`,
  invalidUrl: (v: string) => `Invalid address "${v}": expected an http(s) URL.`,
  invalidDatabase: (v: string) => `Invalid database "${v}": expected postgres://…`,
  invalidRetention: (v: string) => `Invalid retention "${v}": expected a number from 1 to 365 (days).`,
  invalidHostingLocation:
    "Invalid --hosting-location: expected a text of 1 to 200 characters without control characters.",
  invalidBlobMax: (v: string) => `Invalid file size "${v}": expected a number from 1 to 2048 (MB).`,
  invalidNats: (v: string) => `Invalid NATS address "${v}": expected nats://…`,
  natsNeedsDatabase: "--nats connects several nodes and therefore needs --database (PostgreSQL).",
  invalidNatsPrefix: (v: string) => `Invalid NATS prefix "${v}": letters, digits, _ and - are allowed.`,
  invalidRateLimit: (v: string) => `Invalid rate "${v}": expected a positive whole number (requests per minute).`,
  invalidSocketCap: (flag: string, v: string) =>
    `Invalid value "${v}" for ${flag}: expected a positive whole number (connections).`,
  invalidHourlyLimit: (flag: string, v: string) =>
    `Invalid value "${v}" for ${flag}: expected a whole number from 1 to 1000000 (per hour).`,
  invalidProofOfWorkBits: (v: string) =>
    `Invalid value "${v}" for --proof-of-work-bits: expected a number from 0 to 32 (0 turns the puzzle off).`,
  invalidSync: (v: string) => `Invalid value "${v}" for --sqlite-sync: allowed are full and normal.`,
  invalidMetricsPort: (v: string) => `Invalid port "${v}" for --metrics-port: expected a number from 1 to 65535.`,
  metricsPortIsMainPort: (v: number) =>
    `--metrics-port ${v} is the main port already (--port); for /metrics on the main port there is --metrics.`,
  invalidMetricsHost: (v: string) =>
    `Invalid address "${v}" for --metrics-host: expected an IP address or a host name such as 127.0.0.1.`,
  metricsHostNeedsPort: "--metrics-host only goes with --metrics-port.",
  metricsListening: (url: string) => `Metrics for Prometheus at ${url}`,
  invalidWebRoot: (v: string) => `Invalid directory "${v}" for --web-root: there is no such directory.`,
  webAppMissing: (dir: string) =>
    `The web app is not built (${dir} is missing); Bote runs without it until it is built with "npm run build".`,
  unknownOption: (v: string) => `Unknown option: ${v}`,
  unknownCommand: (v: string) => `Unknown command: ${v}`,
  missingArgument: (v: string) => `A value is missing: ${v}`,
  listening: (url: string) => `Bote is running at ${url}`,
  firstInvite:
    "Invitation for the first administrator (valid once) – open it in a browser or redeem it with `bote join`:",
  firstInviteSaved: (file: string) => `Also saved in ${file}; the file is deleted once redeemed.`,
  recoveryInvite:
    "Invitation to recover the administration (valid once, for 24 hours) – redeemable only with the organisation's recovery kit: `bote join <link> --recovery-kit <file> --name <name>`:",
  recoveryInviteSaved: (file: string) => `Also saved in ${file}; the file is deleted once redeemed.`,
  recoveryInviteNoKey:
    "--recovery-invite: this organisation has no organisation key yet; the first invitation is enough.",
  stopping: "Stopping Bote …",
  startFailed: (reason: string) => `Bote could not start: ${reason}`,
  invalidDomain: (v: string) =>
    `Invalid domain "${v}": expected a host name such as chat.example.de, without https:// and without a port.`,
  domainWithPublicUrl: "--domain sets the public URL itself (https://DOMAIN); please leave out --public-url.",
  domainPortZero: "--port 0 does not go with --domain: the public URL needs a fixed port.",
  needsDomain: (flag: string) => `${flag} only goes with --domain.`,
  invalidHttpPort: (v: string) => `Invalid port "${v}" for --http-port: expected a number from 1 to 65535.`,
  invalidAcmeDirectory: (v: string) =>
    `Invalid ACME address "${v}" for --acme-directory: expected an https URL such as https://acme-v02.api.letsencrypt.org/directory.`,
  invalidAcmeCa: (v: string) => `"${v}" for --acme-ca is no readable file of PEM certificates.`,
  invalidEmail: (v: string) => `Invalid e-mail address "${v}" for --acme-email.`,
  tlsStarting: (domain: string) => `HTTPS for ${domain}: loading the certificate or requesting it from the CA …`,
  tlsFailed: (text: string, reason: string, code: string) => `${text} Reason: ${reason} [${code}]`,
};

const catalog = { de, en };

export function messages(language: Language = cliLanguage()): Messages {
  return catalog[language];
}

/** A failure the user caused; printed without a stack trace, exit code 2. */
export class UsageError extends Error {
  override readonly name = "UsageError";
}
