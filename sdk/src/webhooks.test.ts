// node:crypto and the standardwebhooks package appear only here, to produce
// signatures independently of the code under test.
import { createHmac, randomBytes } from 'node:crypto';
import type { IncomingHttpHeaders } from 'node:http';
import { Webhook } from 'standardwebhooks';
import { describe, expect, it } from 'vitest';
import { verifyHubSignature, verifyRapidlyWebhook, verifyWebhook, WebhookVerificationError } from './webhooks.ts';

const secret = `whsec_${randomBytes(32).toString('base64')}`;
const otherSecret = `whsec_${randomBytes(32).toString('base64')}`;
const now = new Date('2026-01-15T10:30:00.000Z');
const nowSeconds = String(now.getTime() / 1000);
const msgId = 'evt_01jbz8c1x9f8r5m6w0q2v3t4yz';
const payload = {
  type: 'ticket.created',
  timestamp: now.toISOString(),
  data: { ticket: { id: 'T-1', subject: 'Ünïcödé ✓' } },
};
const body = JSON.stringify(payload);

/** Headers as Hookport sends them, signed by the standardwebhooks library with each secret given. */
function signed(secrets: string[], opts: { at?: Date; id?: string; body?: string } = {}) {
  const at = opts.at ?? now;
  return {
    'webhook-id': opts.id ?? msgId,
    'webhook-timestamp': String(Math.floor(at.getTime() / 1000)),
    'webhook-signature': secrets.map((s) => new Webhook(s).sign(opts.id ?? msgId, at, opts.body ?? body)).join(' '),
  };
}

async function failure(promise: Promise<unknown>): Promise<WebhookVerificationError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  if (!(error instanceof WebhookVerificationError))
    throw new Error(`expected a WebhookVerificationError, got ${error}`);
  return error;
}

describe('verifyWebhook (Standard Webhooks)', () => {
  it('returns the parsed payload of a request signed by the standardwebhooks library', async () => {
    const result = await verifyWebhook(body, signed([secret]), secret, { now });
    expect(result).toEqual(payload);
    // Typed: data is the event data object.
    expect(result.data.ticket).toEqual({ id: 'T-1', subject: 'Ünïcödé ✓' });
  });

  it('accepts the body as a string, Buffer, Uint8Array or ArrayBuffer', async () => {
    const headers = signed([secret]);
    const bytes = new TextEncoder().encode(body);
    for (const raw of [body, Buffer.from(body), bytes, bytes.buffer]) {
      await expect(verifyWebhook(raw, headers, secret, { now })).resolves.toEqual(payload);
    }
  });

  it('reads Fetch Headers, Node IncomingHttpHeaders and plain objects of any case', async () => {
    const headers = signed([secret]);
    const fetchHeaders = new Headers(headers);
    const nodeHeaders: IncomingHttpHeaders = { ...headers, 'content-type': 'application/json', 'set-cookie': ['a=b'] };
    const shouting = Object.fromEntries(Object.entries(headers).map(([k, v]) => [k.toUpperCase(), v]));
    for (const h of [fetchHeaders, nodeHeaders, shouting]) {
      await expect(verifyWebhook(body, h, secret, { now })).resolves.toEqual(payload);
    }
  });

  it('accepts any one valid signature, so a rotation that sends two keeps working', async () => {
    const both = signed([otherSecret, secret]);
    expect(both['webhook-signature'].split(' ')).toHaveLength(2);
    await expect(verifyWebhook(body, both, secret, { now })).resolves.toEqual(payload);
    await expect(verifyWebhook(body, both, otherSecret, { now })).resolves.toEqual(payload);
  });

  it('skips signatures of other versions and malformed ones', async () => {
    const good = signed([secret]);
    const headers = { ...good, 'webhook-signature': `v2,abc v1,%%% v1a,xyz ${good['webhook-signature']}` };
    await expect(verifyWebhook(body, headers, secret, { now })).resolves.toEqual(payload);
  });

  it('takes the secret with or without its whsec_ prefix', async () => {
    await expect(verifyWebhook(body, signed([secret]), secret.slice('whsec_'.length), { now })).resolves.toEqual(
      payload,
    );
  });

  it('rejects a changed body, a wrong secret, a changed id and a signature of other bytes', async () => {
    const headers = signed([secret]);
    const cases = [
      () => verifyWebhook(body.replace('T-1', 'T-2'), headers, secret, { now }),
      () => verifyWebhook(`${body} `, headers, secret, { now }),
      () => verifyWebhook(body, headers, otherSecret, { now }),
      () => verifyWebhook(body, { ...headers, 'webhook-id': 'evt_other' }, secret, { now }),
      () => verifyWebhook(body, { ...headers, 'webhook-signature': 'v1,AAAA' }, secret, { now }),
    ];
    for (const c of cases) {
      const error = await failure(c());
      expect(error.reason).toBe('no_matching_signature');
      expect(error.message).toMatch(/No webhook-signature matches the body/);
    }
  });

  it('allows 5 minutes of clock difference both ways, and no more', async () => {
    const at = (offsetSeconds: number) => signed([secret], { at: new Date(now.getTime() + offsetSeconds * 1000) });
    await expect(verifyWebhook(body, at(-300), secret, { now })).resolves.toEqual(payload);
    await expect(verifyWebhook(body, at(300), secret, { now })).resolves.toEqual(payload);

    const old = await failure(verifyWebhook(body, at(-301), secret, { now }));
    expect(old.reason).toBe('timestamp_too_old');
    expect(old.message).toMatch(/301 s in the past, more than the 300 s tolerance/);
    const future = await failure(verifyWebhook(body, at(301), secret, { now }));
    expect(future.reason).toBe('timestamp_too_new');
    expect(future.message).toMatch(/301 s in the future/);
  });

  it('takes another tolerance and the current time as a Date or milliseconds', async () => {
    const headers = signed([secret], { at: new Date(now.getTime() - 20_000) });
    await expect(verifyWebhook(body, headers, secret, { now: now.getTime(), toleranceSeconds: 30 })).resolves.toEqual(
      payload,
    );
    expect((await failure(verifyWebhook(body, headers, secret, { now, toleranceSeconds: 10 }))).reason).toBe(
      'timestamp_too_old',
    );
  });

  it('uses the real clock by default', async () => {
    const fresh = signed([secret], { at: new Date() });
    await expect(verifyWebhook(body, fresh, secret)).resolves.toEqual(payload);
    const hourOld = signed([secret], { at: new Date(Date.now() - 3_600_000) });
    expect((await failure(verifyWebhook(body, hourOld, secret))).reason).toBe('timestamp_too_old');
  });

  it('names a missing header and an unreadable timestamp', async () => {
    const headers = signed([secret]);
    for (const name of ['webhook-id', 'webhook-timestamp', 'webhook-signature'] as const) {
      const { [name]: _dropped, ...rest } = headers;
      const error = await failure(verifyWebhook(body, rest, secret, { now }));
      expect(error.reason).toBe('missing_header');
      expect(error.message).toBe(`The ${name} header is missing.`);
    }
    const error = await failure(
      verifyWebhook(body, { ...headers, 'webhook-timestamp': '2026-01-15' }, secret, { now }),
    );
    expect(error.reason).toBe('invalid_timestamp');
  });

  it('rejects a signed body that is not a {type, timestamp, data} JSON object', async () => {
    for (const other of ['not json', '[1,2]', '{"type":"x","data":{}}']) {
      const error = await failure(verifyWebhook(other, signed([secret], { body: other }), secret, { now }));
      expect(error.reason).toBe('invalid_payload');
    }
  });

  it('refuses a secret that is not a Standard Webhooks secret', async () => {
    await expect(verifyWebhook(body, signed([secret]), 'whsec_not base64!', { now })).rejects.toThrow(TypeError);
  });
});

describe('verifyRapidlyWebhook (Standard Webhooks headers, the whole secret string as the key)', () => {
  const rapidlySecret = `rapidly_whs_${randomBytes(24).toString('hex')}`;
  const timestamp = nowSeconds;
  const signature = createHmac('sha256', Buffer.from(rapidlySecret, 'utf8'))
    .update(`${msgId}.${timestamp}.${body}`)
    .digest('base64');
  const headers = { 'webhook-id': msgId, 'webhook-timestamp': timestamp, 'webhook-signature': `v1,${signature}` };

  it('verifies a signature keyed with the UTF-8 bytes of the secret', async () => {
    await expect(verifyRapidlyWebhook(body, headers, rapidlySecret, { now })).resolves.toEqual(payload);
    await expect(verifyWebhook(body, headers, rapidlySecret, { now, keyEncoding: 'raw' })).resolves.toEqual(payload);
  });

  it('agrees with the Standard Webhooks library given the base64 of the secret, as Rapidly tells receivers', async () => {
    const viaLibrary = new Webhook(Buffer.from(rapidlySecret).toString('base64')).sign(msgId, now, body);
    expect(viaLibrary).toBe(`v1,${signature}`);
  });

  it('rejects a changed body and a wrong secret', async () => {
    expect((await failure(verifyRapidlyWebhook(`${body} `, headers, rapidlySecret, { now }))).reason).toBe(
      'no_matching_signature',
    );
    expect((await failure(verifyRapidlyWebhook(body, headers, `${rapidlySecret}x`, { now }))).reason).toBe(
      'no_matching_signature',
    );
  });

  it('still checks the timestamp', async () => {
    const later = new Date(now.getTime() + 600_000);
    expect((await failure(verifyRapidlyWebhook(body, headers, rapidlySecret, { now: later }))).reason).toBe(
      'timestamp_too_old',
    );
  });
});

describe('verifyHubSignature (TSANet X-Hub-Signature-256)', () => {
  const tsanetSecret = randomBytes(20).toString('hex');
  const tsanetPayload = {
    eventType: 'collaboration-request.created',
    requestToken: 'tok-1',
    timestamp: now.toISOString(),
  };
  const tsanetBody = JSON.stringify(tsanetPayload);
  const hex = createHmac('sha256', Buffer.from(tsanetSecret, 'utf8')).update(tsanetBody).digest('hex');

  it('verifies sha256=<hex HMAC of the body> and returns the parsed body', async () => {
    const result = await verifyHubSignature<typeof tsanetPayload>(
      tsanetBody,
      { 'X-Hub-Signature-256': `sha256=${hex}` },
      tsanetSecret,
    );
    expect(result).toEqual(tsanetPayload);
    const headers = new Headers({ 'x-hub-signature-256': `sha256=${hex}` });
    await expect(verifyHubSignature(Buffer.from(tsanetBody), headers, tsanetSecret)).resolves.toEqual(tsanetPayload);
  });

  it('rejects a changed body, a wrong secret and a malformed or missing header', async () => {
    const header = { 'x-hub-signature-256': `sha256=${hex}` };
    const cases: [() => Promise<unknown>, string][] = [
      [() => verifyHubSignature(tsanetBody.replace('tok-1', 'tok-2'), header, tsanetSecret), 'no_matching_signature'],
      [() => verifyHubSignature(tsanetBody, header, `${tsanetSecret}x`), 'no_matching_signature'],
      [() => verifyHubSignature(tsanetBody, { 'x-hub-signature-256': hex }, tsanetSecret), 'no_matching_signature'],
      [
        () => verifyHubSignature(tsanetBody, { 'x-hub-signature-256': 'sha256=zz' }, tsanetSecret),
        'no_matching_signature',
      ],
      [() => verifyHubSignature(tsanetBody, {}, tsanetSecret), 'missing_header'],
    ];
    for (const [c, reason] of cases) expect((await failure(c())).reason).toBe(reason);
  });
});
