import pino, { type DestinationStream, type Logger } from 'pino';

/**
 * JSON logs. Authorization headers, tokens and secrets are redacted wherever
 * a caller might pass them in an object by mistake.
 */
export function createLogger(level: string, destination?: DestinationStream): Logger {
  return pino(
    {
      level,
      base: { service: 'hookport' },
      redact: {
        paths: [
          '*.authorization',
          '*.token',
          '*.secret',
          '*.adminToken',
          'headers.authorization',
          'req.headers.authorization',
        ],
        censor: '[redacted]',
      },
    },
    destination,
  );
}
