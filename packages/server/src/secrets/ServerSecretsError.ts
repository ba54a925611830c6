/**
 * A secrets file that cannot serve this database. `bote serve` prints the
 * message of a start failure, in both languages since the operator's is
 * unknown there; each names the file and says what to do.
 */
export type ServerSecretsProblem = "missing" | "unreadable" | "mismatch";

export class ServerSecretsError extends Error {
  constructor(
    readonly problem: ServerSecretsProblem,
    readonly file: string,
    detail?: string,
  ) {
    super(describe(problem, file, detail));
    this.name = "ServerSecretsError";
  }
}

function describe(problem: ServerSecretsProblem, file: string, detail: string | undefined): string {
  const restore =
    "Stellen Sie die Datei aus der Sicherung wieder her, die zu dieser Datenbank gehört.\n" +
    "Restore the file from the backup that belongs to this database.";
  switch (problem) {
    case "missing":
      return (
        `Die Server-Geheimnisse ${file} fehlen, aber die Datenbank wird schon benutzt; neue Geheimnisse würden jede Zustelladresse ungültig machen.\n` +
        `The server secrets ${file} are missing, but the database is already in use; new secrets would invalidate every delivery address.\n` +
        restore
      );
    case "unreadable":
      return (
        `Die Server-Geheimnisse ${file} sind beschädigt oder unvollständig${detail === undefined ? "" : ` (${detail})`}.\n` +
        `The server secrets ${file} are damaged or incomplete${detail === undefined ? "" : ` (${detail})`}.\n` +
        restore
      );
    case "mismatch":
      return (
        `Die Server-Geheimnisse ${file} gehören nicht zu dieser Datenbank (der Prüfwert weicht ab); so gestartet wäre jede Zustelladresse ungültig.\n` +
        `The server secrets ${file} do not belong to this database (the key-check value differs); started like this, every delivery address would be invalid.\n` +
        restore +
        "\nIn einem Cluster brauchen alle Knoten dieselbe Datei. / In a cluster every node needs the same file."
      );
    default: {
      const never: never = problem;
      throw new Error(`unknown problem ${String(never)}`);
    }
  }
}
