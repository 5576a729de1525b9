import { once } from 'node:events';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { verifyWebhook, WebhookVerificationError } from '../../../sdk/src/index.ts';
import { parseCommandArgs, portOption } from './args.ts';
import type { Command } from './command.ts';
import { CliError, type CliIo } from './io.ts';

const options = {
  port: { type: 'string', short: 'p' },
  secret: { type: 'string' },
  once: { type: 'boolean' },
} as const;

/** What listen made of one request: printed, and its answer to Hookport. */
export interface Received {
  verified: boolean | null;
  lines: string[];
  status: number;
}

async function readBody(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

function pretty(body: string): string {
  try {
    return JSON.stringify(JSON.parse(body), null, 2);
  } catch {
    return body;
  }
}

/**
 * Checks one webhook as a real receiver would: the Standard Webhooks signature
 * with the endpoint's secret, then the body. A bad signature is answered 400,
 * so Hookport records the failure; without a secret nothing is checked.
 */
export async function inspectWebhook(
  method: string,
  path: string,
  headers: IncomingMessage['headers'],
  body: string,
  secret: string | undefined,
): Promise<Received> {
  const id = headers['webhook-id'] ?? '(no webhook-id)';
  const head = `${new Date().toISOString()}  ${method} ${path}  webhook-id ${String(id)}`;
  if (secret === undefined) {
    return {
      verified: null,
      status: 204,
      lines: [head, '  signature not checked (pass --secret whsec_… to verify)', pretty(body)],
    };
  }
  try {
    const payload = await verifyWebhook(body, headers, secret);
    return { verified: true, status: 204, lines: [`${head}  ${payload.type}`, '  signature verified ✔', pretty(body)] };
  } catch (err) {
    if (!(err instanceof WebhookVerificationError)) throw err;
    return {
      verified: false,
      status: 400,
      lines: [head, `  signature NOT verified ✘ (${err.reason}: ${err.message})`, pretty(body)],
    };
  }
}

/**
 * Listens on both loopback addresses: `localhost` reaches a receiver on either
 * (Hookport connects to what the name resolves to), and nothing outside the machine can.
 */
async function listenOnLoopback(port: number, handler: (req: IncomingMessage, res: ServerResponse) => void) {
  const servers: Server[] = [];
  const v4 = createServer(handler);
  v4.listen(port, '127.0.0.1');
  try {
    await once(v4, 'listening');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'EADDRINUSE') throw new CliError(`Port ${port} is taken on 127.0.0.1: pick another with --port.`);
    throw new CliError(`Cannot listen on 127.0.0.1:${port}: ${(err as Error).message}`);
  }
  servers.push(v4);
  const bound = (v4.address() as { port: number }).port;
  const v6 = createServer(handler);
  v6.listen(bound, '::1');
  // A machine without IPv6 loopback (some containers) has no ::1 to listen on: 127.0.0.1 alone then.
  const v6Ok = await Promise.race([once(v6, 'listening').then(() => true), once(v6, 'error').then(() => false)]);
  if (v6Ok) servers.push(v6);
  return { servers, port: bound };
}

export const listen: Command = {
  name: 'listen',
  summary: 'A local webhook receiver: prints each webhook and checks its signature',
  help: `Usage: hookport listen [--port 9000] [--secret whsec_…] [--once]

Receives webhooks on http://localhost:<port> (127.0.0.1 and ::1), prints each
one and says whether its signature verifies with the endpoint's secret.
Answers 204, or 400 when the signature does not verify. Point an endpoint at it
(hookport serve --dev lets endpoints target localhost).

Options:
  -p, --port <port>    Port to listen on (default 9000; 0 picks a free one)
  --secret <whsec_…>   The endpoint's signing secret (env HOOKPORT_WEBHOOK_SECRET)
  --once               Exit after the first webhook: 0 if it verified, 1 if not

Example:
  hookport listen --port 9000 --secret "$SECRET"`,
  async run(argv, io) {
    const { values } = parseCommandArgs(argv, options);
    const secret = values.secret ?? (io.env.HOOKPORT_WEBHOOK_SECRET || undefined);
    let finish: (code: number) => void = () => {};
    const done = new Promise<number>((resolve) => {
      finish = resolve;
    });
    const handler = (req: IncomingMessage, res: ServerResponse) => {
      void handle(req, res, secret, io).then((verified) => {
        if (values.once) finish(verified === false ? 1 : 0);
      });
    };
    const { servers, port } = await listenOnLoopback(portOption('port', values.port ?? '9000'), handler);
    io.err(
      `Listening for webhooks on http://localhost:${port}${secret ? '' : ' (signatures not checked: no --secret)'}\n`,
    );
    const stop = () => finish(0);
    io.signal?.addEventListener('abort', stop, { once: true });
    const code = await done;
    io.signal?.removeEventListener('abort', stop);
    for (const s of servers) {
      s.close();
      s.closeAllConnections(); // Hookport keeps its connections alive: without this, close would wait for them.
    }
    await Promise.all(servers.map((s) => (s.listening ? once(s, 'close') : undefined)));
    return code;
  },
};

async function handle(req: IncomingMessage, res: ServerResponse, secret: string | undefined, io: CliIo) {
  const body = await readBody(req);
  const received = await inspectWebhook(req.method ?? 'POST', req.url ?? '/', req.headers, body, secret);
  io.out(`${received.lines.join('\n')}\n`);
  res.writeHead(received.status).end();
  return received.verified;
}
