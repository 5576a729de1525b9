import { unknownVariableWarnings } from '../startup/unknown-variables.ts';
import type { CliIo } from './io.ts';

/** A misspelt HOOKPORT_* variable is otherwise silently ignored: one warning line each, before anything else. */
export function warnUnknownVariables(io: CliIo) {
  for (const line of unknownVariableWarnings(io.env)) io.err(`hookport: warning: ${line}\n`);
}
