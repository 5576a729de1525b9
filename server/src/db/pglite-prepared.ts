import { type PGlite, protocol, types } from '@electric-sql/pglite';
import type { SqlValue } from './database.ts';

/**
 * Named prepared statements on PGlite.
 *
 * `PGlite.query()` parses and plans its text on every call, in five exchanges
 * with the WebAssembly backend (parse, describe, bind, describe, execute).
 * pg-boss's statements are long: measured on in-memory PGlite, an empty fetch
 * cost 1.1 ms and a one-job insert 1.2 ms, against 0.12 ms for `select 1`;
 * almost all of it parsing and planning. Here each distinct text is parsed
 * once under a name (with its parameter and result types described once), and
 * each call is one exchange: bind, execute, sync — what the worker's
 * PostgreSQL pool gets from postgres.js's prepared statements.
 *
 * The caller holds PGlite's locks (see `openPglite`): these messages bypass
 * them, as PGlite's own `query()` does once it holds them.
 */
export interface PreparedStatements {
  run<T extends object>(text: string, params: readonly SqlValue[]): Promise<T[]>;
}

interface Statement {
  name: string;
  /** Parameter types as the server inferred them, to serialise the values as PGlite's query() does. */
  paramTypes: number[];
  /** The columns of the result; empty for a statement that returns no rows. */
  fields: { name: string; dataTypeID: number }[];
}

export interface PreparedOptions {
  /** Texts kept prepared at most (default 1,000); past that all are deallocated and prepared again as they come. */
  maxStatements?: number;
}

function concat(parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

/**
 * SQLSTATEs of a prepared statement gone stale: its result type changed under it (a table altered),
 * or it no longer exists. PGlite's query() would simply parse the text again; so does run(), once.
 */
const staleStatement = new Set(['0A000', '26000']);

function codeOf(err: unknown): string {
  return typeof err === 'object' && err !== null && 'code' in err ? String(err.code) : '';
}

export function preparedStatements(pg: PGlite, { maxStatements = 1000 }: PreparedOptions = {}): PreparedStatements {
  const { serialize } = protocol;
  const statements = new Map<string, Statement>();
  // Only ever grows: a name is never reused, even when preparing one failed after the parse.
  let nextName = 0;

  async function prepare(text: string): Promise<Statement> {
    const known = statements.get(text);
    if (known) return known;
    if (statements.size >= maxStatements) {
      await pg.execProtocolStream(serialize.query('deallocate all'), { syncToFs: false });
      statements.clear();
    }
    const name = `hp_${nextName++}`;
    const replies = await pg.execProtocolStream(
      concat([serialize.parse({ name, text }), serialize.describe({ type: 'S', name }), serialize.sync()]),
      { syncToFs: false },
    );
    let paramTypes: number[] = [];
    let fields: Statement['fields'] = [];
    for (const m of replies) {
      if (m instanceof protocol.messages.ParameterDescriptionMessage) paramTypes = m.dataTypeIDs;
      else if (m instanceof protocol.messages.RowDescriptionMessage) {
        fields = m.fields.map((f) => ({ name: f.name, dataTypeID: f.dataTypeID }));
      }
    }
    const statement = { name, paramTypes, fields };
    statements.set(text, statement);
    return statement;
  }

  /**
   * As PGlite's query(): null and undefined are NULL, the rest goes through the serializer of the
   * parameter's type or String(). Every value is text before the bind message is built: a serializer
   * throwing halfway through it would leave PGlite's shared message writer half filled.
   */
  function serializeValue(value: SqlValue | undefined, type: number | undefined): string | null {
    if (value === null || value === undefined) return null;
    const serializer = type === undefined ? undefined : pg.serializers[type];
    const text: unknown = serializer ? serializer(value) : String(value);
    return typeof text === 'string' ? text : String(text);
  }

  async function execute(statement: Statement, params: readonly SqlValue[]) {
    const values = params.map((v, i) => serializeValue(v, statement.paramTypes[i]));
    // One buffer: an error skips to the sync, so the session is ready for the next statement either way.
    return pg.execProtocolStream(
      concat([serialize.bind({ statement: statement.name, values }), serialize.execute({}), serialize.sync()]),
      { syncToFs: false },
    );
  }

  return {
    async run<T extends object>(text: string, params: readonly SqlValue[]): Promise<T[]> {
      let statement = await prepare(text);
      let replies: Awaited<ReturnType<typeof execute>>;
      try {
        replies = await execute(statement, params);
      } catch (err) {
        if (!staleStatement.has(codeOf(err))) throw err;
        // The next use prepares the text anew (the old name is never reused).
        statements.delete(text);
        // Inside a transaction the error has aborted it: nothing more can run there, and the caller sees
        // the error itself rather than the abort a retry would meet.
        if (pg.isInTransaction()) throw err;
        await pg.execProtocolStream(concat([serialize.close({ type: 'S', name: statement.name }), serialize.sync()]), {
          syncToFs: false,
        });
        statement = await prepare(text);
        replies = await execute(statement, params);
      }
      const rows: T[] = [];
      for (const m of replies) {
        if (!(m instanceof protocol.messages.DataRowMessage)) continue;
        const row: Record<string, unknown> = {};
        statement.fields.forEach((f, i) => {
          const raw = m.fields[i];
          row[f.name] = raw === null || raw === undefined ? null : types.parseType(raw, f.dataTypeID, pg.parsers);
        });
        rows.push(row as T);
      }
      return rows;
    },
  };
}
