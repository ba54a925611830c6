/** The parse gate: unknown in, typed data or a coded error with the path of the fault out. */
import type { z } from "zod";
import { BoteError } from "@bote/protocol";

export function parse<S extends z.ZodType>(schema: S, input: unknown): z.output<S> {
  const result = schema.safeParse(input ?? {});
  if (result.success) return result.data;
  const issue = result.error.issues[0];
  const path = issue === undefined || issue.path.length === 0 ? "" : issue.path.map(String).join(".");
  throw new BoteError("bad_request", path === "" ? undefined : path);
}
