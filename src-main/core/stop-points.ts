/**
 * Test-only stop points, for crash tests that must kill a process at an exact place
 * (inside a write transaction) rather than after a guessed delay.
 *
 * PIE_AUDIT_TEST_STOP_AT=<point>:<n> makes the process kill itself with SIGKILL the n-th
 * time it reaches <point>. Unset (always, outside the tests) every stop point does
 * nothing. The points:
 *
 * - `train-commit`: inside the transaction that stores a trained model's predictions and
 *   its 'done' status, after the predictions and before the status and the commit;
 *   counted per model in the process doing the writes.
 * - `import-write`: inside the transaction of `import predictions`, after each model's
 *   predictions (n = models written so far; when rows are stored while the file is read,
 *   the n-th model's are stored when the next model's first row comes, or at the end, so
 *   the count is per model for a file grouped by model; a file that is not has its rows
 *   stored at the end, one stop per model after the starts seen before that); nothing is committed yet.
 * - `restore-replace`: inside the transaction of `db restore` into an existing database,
 *   after its content was copied aside and before it is replaced; nothing is committed.
 * - `refresh-after-write`: after a command's predictions were committed and before it
 *   brings the analysis up to date (a database left stale, as an interrupted command leaves it).
 */
export type StopPoint = 'train-commit' | 'import-write' | 'restore-replace' | 'refresh-after-write';

const ENV = 'PIE_AUDIT_TEST_STOP_AT';
const reached = new Map<StopPoint, number>();

export function stopPoint(point: StopPoint): void {
  const wanted = process.env[ENV];
  if (wanted === undefined || wanted === '') return;
  const count = (reached.get(point) ?? 0) + 1;
  reached.set(point, count);
  if (wanted === `${point}:${count}`) process.kill(process.pid, 'SIGKILL');
}
