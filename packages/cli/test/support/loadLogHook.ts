/**
 * A module resolve hook (registered by `recordLoads.ts`) that appends every URL Node resolves to the file
 * named in BOTE_LOAD_LOG, so a test can tell which packages a `bote` process loaded.
 */
import { appendFileSync } from "node:fs";

interface ResolveResult {
  url: string;
}
type NextResolve = (specifier: string, context: unknown) => Promise<ResolveResult>;

export async function resolve(specifier: string, context: unknown, next: NextResolve): Promise<ResolveResult> {
  const result = await next(specifier, context);
  const log = process.env["BOTE_LOAD_LOG"];
  if (log !== undefined) appendFileSync(log, `${result.url}\n`);
  return result;
}
