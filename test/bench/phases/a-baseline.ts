/**
 * (a) and (a2): the raw baseline. The same signed POSTs Hookport sends, straight from undici to the
 * receiver ports Hookport delivers to; run first (a) and again last (a2) to show whether the machine
 * drifted during the run.
 */
import { randomBytes } from 'node:crypto';
import { Webhook } from 'standardwebhooks';
import { Agent, request } from 'undici';
import { now } from '../clock.ts';
import { cpuNote, meter, waitQuiet } from '../machine.ts';
import { eventType, ticketData } from '../payload.ts';
import type { ReceiverProcess } from '../receiver-process.ts';
import { record } from '../results.ts';
import { settings } from '../settings.ts';

export async function baseline(receiver: ReceiverProcess, id: 'a' | 'a2', ports: number[]): Promise<void> {
  await waitQuiet(id);
  const secrets = Object.fromEntries(ports.map((p) => [String(p), `whsec_${randomBytes(32).toString('base64')}`]));
  // The same client settings as Hookport's Sender (server/src/delivery/sender.ts).
  const agent = new Agent({ keepAliveTimeout: 30_000, connections: 32 });
  const run = async (name: string, total: number) => {
    await receiver.phase(name, total, secrets);
    let next = 0;
    let errors = 0;
    const cpu0 = meter.begin();
    const t0 = now();
    const lane = async () => {
      for (let i = next++; i < total; i = next++) {
        const port = ports[i % ports.length] as number;
        const at = new Date();
        const msgId = `msg_${name}_${i}`;
        const body = JSON.stringify({ type: eventType, timestamp: at.toISOString(), data: ticketData(i, now()) });
        // Hookport signs with a new Webhook per attempt; so does the baseline.
        const signature = new Webhook(secrets[String(port)] as string).sign(msgId, at, body);
        try {
          const res = await request(`http://127.0.0.1:${port}/hook`, {
            method: 'POST',
            dispatcher: agent,
            headers: {
              'content-type': 'application/json',
              'webhook-id': msgId,
              'webhook-timestamp': String(Math.floor(at.getTime() / 1000)),
              'webhook-signature': signature,
              'user-agent': 'Hookport-bench-baseline',
            },
            body,
          });
          await res.body.text();
          if (res.statusCode !== 204) errors++;
        } catch {
          errors++;
        }
      }
    };
    await Promise.all(Array.from({ length: settings.workerConcurrency }, lane));
    const report = await receiver.waitDone(name, now() + 10_000);
    const cpu = meter.end(cpu0);
    return { t0, report, errors, cpu };
  };
  await run(`${id}-warm`, Math.min(2000, settings.baselineRequests));
  const { t0, report, errors, cpu } = await run(id, settings.baselineRequests);
  const rate = report.lastAt ? report.unique / ((report.lastAt - t0) / 1000) : null;
  record(
    id,
    'raw undici baseline',
    rate,
    'deliveries/s',
    `${report.unique} signed POSTs, concurrency ${settings.workerConcurrency}, ${ports.length} receiver ports, ` +
      `${report.verified} signatures verified` +
      (errors ? `, ${errors} errors` : '') +
      (report.verifyFailures.length ? `, ${report.verifyFailures.length} SIGNATURE FAILURES` : '') +
      `; ${cpuNote(cpu, report.unique, { sender: 'sender' })}`,
  );
  await agent.close();
}
