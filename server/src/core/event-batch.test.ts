import { CoreError, type PublishInput } from '@hookport/spec';
import { describe, expect, it } from 'vitest';
import { atIndex, refuseRepeatedKeys, withProofs } from './event-batch.ts';
import { type DataGate, type SchemaProof, SchemaUnproven, type TypeRow } from './event-data.ts';

/** The batch's own steps around the one-event publish: proofs before the transaction, refusals named by index. */

const tenantId = 't';
const row = (updatedAt: string): TypeRow => ({ schema: { type: 'object' }, updated_at: updatedAt });

/** A gate that proves every event against the schema version it last saw of the type, and refuses `bad` data. */
function versionedGate() {
  const seen = new Map<string, string>();
  const proved: string[] = [];
  const gate: DataGate = {
    async prove(_tenant, input): Promise<SchemaProof | undefined> {
      const updatedAt = seen.get(input.type);
      proved.push(`${input.type}@${updatedAt ?? 'none'}`);
      if (input.data.bad) {
        throw new CoreError('validation_failed', 'data does not match', [
          { path: 'data.bad', message: 'no', code: 'x' },
        ]);
      }
      return updatedAt ? { updatedAt } : undefined;
    },
    see(_tenant, type, r) {
      if (r?.schema) seen.set(type, r.updated_at);
    },
  };
  return { gate, proved, seen };
}

const events: PublishInput[] = [
  { type: 'a', data: {} },
  { type: 'b', data: {} },
  { type: 'a', data: { n: 2 } },
];

describe('withProofs', () => {
  it('proves again every event of a type whose schema the transaction found changed, then runs it again', async () => {
    const { gate, proved, seen } = versionedGate();
    seen.set('a', 'v1');
    const runs: (SchemaProof | undefined)[][] = [];
    const result = await withProofs(gate, tenantId, events, async (proofs) => {
      runs.push([...proofs]);
      if (runs.length === 1) throw new SchemaUnproven(row('v2'), 2);
      return 'committed';
    });
    expect(result).toBe('committed');
    expect(runs).toEqual([
      [{ updatedAt: 'v1' }, undefined, { updatedAt: 'v1' }],
      [{ updatedAt: 'v2' }, undefined, { updatedAt: 'v2' }],
    ]);
    // b was proven once: only a's events are proven again.
    expect(proved.filter((p) => p.startsWith('b'))).toHaveLength(1);
  });

  it('gives up with a 409 naming the event when the schema keeps changing', async () => {
    const { gate } = versionedGate();
    let n = 0;
    const run = withProofs(gate, tenantId, events, async () => {
      n++;
      throw new SchemaUnproven(row(`v${n}`), 1);
    });
    await expect(run).rejects.toMatchObject({ code: 'conflict', message: expect.stringMatching(/^events\[1\]: /) });
  });

  it('refuses with the lowest index whose data fails, before any transaction', async () => {
    const { gate } = versionedGate();
    const bad: PublishInput[] = [
      { type: 'a', data: {} },
      { type: 'b', data: { bad: 1 } },
      { type: 'a', data: { bad: 1 } },
    ];
    let ran = false;
    const run = withProofs(gate, tenantId, bad, async () => {
      ran = true;
    });
    await expect(run).rejects.toMatchObject({
      code: 'validation_failed',
      errors: [{ path: 'events.1.data.bad', message: 'no', code: 'x' }],
    });
    expect(ran).toBe(false);
  });
});

describe('atIndex and refuseRepeatedKeys', () => {
  it("names the event in a refusal's detail and paths, and gives a refusal without paths one", async () => {
    const conflict = atIndex(4, async () => {
      throw new CoreError('idempotency_conflict', 'used with a different request');
    });
    await expect(conflict).rejects.toMatchObject({
      code: 'idempotency_conflict',
      message: 'events[4]: used with a different request',
      errors: [{ path: 'events.4', message: 'used with a different request', code: 'idempotency_conflict' }],
    });
    const stale = atIndex(3, async () => {
      throw new SchemaUnproven(row('v1'));
    });
    await expect(stale).rejects.toMatchObject({ index: 3 });
  });

  it('refuses the second use of a key, naming both events', () => {
    expect(() =>
      refuseRepeatedKeys([
        { type: 'a', data: {}, idempotencyKey: 'k' },
        { type: 'a', data: {} },
        { type: 'a', data: {}, idempotencyKey: 'k' },
      ]),
    ).toThrow(expect.objectContaining({ message: 'events[2] repeats the idempotencyKey of events[0].' }));
    expect(() =>
      refuseRepeatedKeys([
        { type: 'a', data: {}, idempotencyKey: 'k' },
        { type: 'a', data: {} },
      ]),
    ).not.toThrow();
  });
});
