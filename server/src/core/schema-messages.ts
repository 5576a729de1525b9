import type { FieldError } from '@hookport/spec';

/**
 * What the main thread and a schema worker (schema-worker.ts) say to each other. Only plain data
 * crosses: schemas travel as their JSON text, compiled validators stay in the worker.
 */

/** A schema a tenant stores: is it valid, does it compile, can RE2 run its patterns? */
export interface CheckJob {
  kind: 'check';
  schema: Record<string, unknown>;
  /** Where the schema is in the request, to prefix the errors' paths. */
  path: string;
}

/** An event's data against its type's schema, compiled once per worker and kept by `hash`. */
export interface ValidateJob {
  kind: 'validate';
  /** The SHA-256 of schemaText: the worker's cache key. */
  hash: string;
  schemaText: string;
  data: unknown;
}

export type SchemaJob = CheckJob | ValidateJob;

export interface JobMessage {
  id: number;
  job: SchemaJob;
}

/**
 * A job's answer: its field errors (none: valid), or why it failed. `compiled` is not an answer: a
 * validate job that had to compile its schema says so before it validates, and the validation gets a
 * budget of its own (the compile was the schema's cost, paid once per thread).
 */
export type ReplyMessage =
  | { id: number; errors: FieldError[] }
  | { id: number; failure: string }
  | { id: number; compiled: true };

/** Sent once the worker has loaded and warmed Ajv: no job's budget pays for the start. */
export interface ReadyMessage {
  ready: true;
}
