/**
 * A start-up failure the user can act on: the CLI prints its message as one line (no stack trace)
 * and exits non-zero. Thrown only where the cause is outside Hookport (a taken port, a database
 * that refuses us, a data directory in use), never for our own bugs, which keep their stack.
 */
export class StartupError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'StartupError';
  }
}
