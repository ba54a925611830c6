/**
 * Runs loads of the same thing and hands out only the answer of the newest
 * one started: a slow, older load that finishes last returns undefined
 * instead of overwriting what a newer one showed.
 */
export function latestOnly(): <T>(load: () => Promise<T>) => Promise<T | undefined> {
  let started = 0;
  return async (load) => {
    const mine = ++started;
    const result = await load();
    return mine === started ? result : undefined;
  };
}
