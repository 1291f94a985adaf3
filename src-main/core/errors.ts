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

/**
 * True for SQLite's and the OS's "no space left" errors (SQLITE_FULL, ENOSPC, and an
 * I/O error SQLite reports for a write that could not be completed on a full disk).
 */
export function isDiskFull(error: unknown): boolean {
  const code = (error as { code?: unknown } | null)?.code;
  if (code === 'SQLITE_FULL' || code === 'ENOSPC') return true;
  return typeof code === 'string' && code.startsWith('SQLITE_IOERR') && /disk is full|no space/i.test(errorMessage(error));
}
