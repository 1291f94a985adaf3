/**
 * An error caused by the user's input (a bad file, a name that exists, a bad flag).
 * Its message is one human-readable line; the CLI prints it without a stack trace
 * and exits non-zero, the API returns it as a 400-style failure.
 */
export class UserError extends Error {
  override readonly name = 'UserError';
  constructor(message: string) {
    super(message);
  }
}

/** The message of any thrown value, on one line. */
export function errorMessage(error: unknown): string {
  const text = error instanceof Error ? error.message : String(error);
  return text.replace(/\s*\n\s*/g, ' ').trim();
}
