/**
 * Log serializers that keep logs free of what must never be logged: errors
 * are reduced to type, message, code and stack (a driver's `detail` can hold
 * row values), requests to method and route pattern.
 */
export const logSerializers = {
  err(error: unknown): Record<string, unknown> {
    if (!(error instanceof Error)) return { message: String(error) };
    return {
      type: error.name,
      message: error.message,
      code: (error as { code?: unknown }).code,
      stack: error.stack,
    };
  },
};
