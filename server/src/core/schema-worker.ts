/**
 * A schema pool thread (schema-pool.ts): compiles tenants' JSON Schemas and validates events' data
 * with them, so that whatever a crafted schema costs is spent here, under the pool's budget, and not
 * on the main thread that serves every tenant. The build emits this file as dist/schema-worker.js.
 */
import { parentPort } from 'node:worker_threads';
import type { ValidateFunction } from 'ajv/dist/2020.js';
import { compileSchema, dataErrors, schemaErrors } from './json-schema.ts';
import type { JobMessage, ReadyMessage, ReplyMessage, SchemaJob } from './schema-messages.ts';

/** Compiled validators by schema hash; cleared when full (a miss only costs a compile). */
const maxValidators = 500;
const validators = new Map<string, ValidateFunction>();

const port = parentPort;
if (port === null) throw new Error('schema-worker.ts runs as a worker thread of the schema pool');

/** The job's validator, compiled now (and said so: the validation's budget starts then) unless cached. */
function validatorFor(id: number, hash: string, schemaText: string): ValidateFunction {
  let validate = validators.get(hash);
  if (validate === undefined) {
    if (validators.size >= maxValidators) validators.clear();
    validate = compileSchema(JSON.parse(schemaText) as Record<string, unknown>);
    validators.set(hash, validate);
    port?.postMessage({ id, compiled: true } satisfies ReplyMessage);
  }
  return validate;
}

function run(id: number, job: SchemaJob) {
  if (job.kind === 'check') return schemaErrors(job.schema, job.path);
  const validate = validatorFor(id, job.hash, job.schemaText);
  return validate(job.data) ? [] : dataErrors(validate.errors ?? []);
}

port.on('message', ({ id, job }: JobMessage) => {
  let reply: ReplyMessage;
  try {
    reply = { id, errors: run(id, job) };
  } catch (err) {
    // A stack overflow on deep data, a schema the checks passed but Ajv refuses: the job's failure, not the thread's.
    reply = { id, failure: err instanceof Error ? err.message : String(err) };
  }
  port.postMessage(reply);
});

// Warm up (Ajv's meta-schemas compiled, the JIT started) before taking jobs, so budgets measure jobs.
const warmUp = { type: 'object', properties: { a: { type: 'string', pattern: '^a', format: 'uri' } } };
schemaErrors(warmUp, 'schema');
compileSchema(warmUp)({ a: 'a:b' });
port.postMessage({ ready: true } satisfies ReadyMessage);
