import { describe, expect, it } from 'vitest';
import { unknownVariableWarnings } from './unknown-variables.ts';

describe('unknownVariableWarnings', () => {
  it('names the closest setting for a misspelt one', () => {
    expect(unknownVariableWarnings({ HOOKPORT_EGRES_ALLOWLIST: '127.0.0.1' })).toEqual([
      'HOOKPORT_EGRES_ALLOWLIST is not a Hookport setting; did you mean HOOKPORT_EGRESS_ALLOWLIST?',
    ]);
    expect(unknownVariableWarnings({ HOOKPORT_RETRY_SCHEDUEL: '1' })).toEqual([
      'HOOKPORT_RETRY_SCHEDUEL is not a Hookport setting; did you mean HOOKPORT_RETRY_SCHEDULE?',
    ]);
  });

  it('guesses nothing for a name far from every setting', () => {
    expect(unknownVariableWarnings({ HOOKPORT_COLOUR_SCHEME: 'dark' })).toEqual([
      'HOOKPORT_COLOUR_SCHEME is not a Hookport setting (see docs/configuration.md); it is ignored.',
    ]);
  });

  it('is silent for settings, client and test variables, and anything not HOOKPORT_*', () => {
    expect(
      unknownVariableWarnings({
        HOOKPORT_EGRESS_ALLOWLIST: '',
        HOOKPORT_SECRET_KEY: 'x',
        HOOKPORT_TOKEN: 'hp_x',
        HOOKPORT_URL: 'http://127.0.0.1:8080',
        HOOKPORT_SOAK: '1',
        DATABASE_URL: 'postgres://x',
        HOOKPORTEGRESS: '1',
        PATH: '/bin',
      }),
    ).toEqual([]);
  });

  it('warns once per variable, in name order', () => {
    expect(unknownVariableWarnings({ HOOKPORT_PORT: '1', HOOKPORT_LOG_LEVEL: 'debug' })).toHaveLength(2);
    expect(unknownVariableWarnings({ HOOKPORT_PORT: '1', HOOKPORT_LOG_LEVEL: 'debug' })[0]).toMatch(
      /^HOOKPORT_LOG_LEVEL /,
    );
  });
});
