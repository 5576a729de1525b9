import { randomBytes } from 'node:crypto';
import { parseCommandArgs } from './args.ts';
import type { Command } from './command.ts';

/** A fresh secret key and admin token, in the forms the server's configuration takes. */
export function generateKeys(random: (size: number) => Buffer = randomBytes) {
  return {
    HOOKPORT_SECRET_KEY: random(32).toString('hex'),
    HOOKPORT_ADMIN_TOKEN: `hpa_${random(32).toString('base64url')}`,
  };
}

export const keygen: Command = {
  name: 'keygen',
  summary: 'Print a fresh HOOKPORT_SECRET_KEY and HOOKPORT_ADMIN_TOKEN in .env form',
  help: `Usage: hookport keygen

Prints a new encryption key for endpoint secrets (32 random bytes, hex) and a
new admin token, as .env lines. Every process of one installation (API and
workers) must share both: generate them once and give the same values to each.

Example:
  hookport keygen >> .env`,
  async run(argv, io) {
    parseCommandArgs(argv, {});
    const keys = generateKeys();
    io.out(
      `${Object.entries(keys)
        .map(([name, value]) => `${name}=${value}`)
        .join('\n')}\n`,
    );
    return 0;
  },
};
