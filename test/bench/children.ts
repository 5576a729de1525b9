/**
 * The bench's child processes: the receiver, for the whole run, and phase f's `hookport worker`, while
 * f runs. The CPU meter charges their CPU to the phase that runs; the run's cleanup stops them.
 */
import type { ChildProcess } from 'node:child_process';
import type { ReceiverProcess } from './receiver-process.ts';

export const children: { receiver: ReceiverProcess | undefined; worker: ChildProcess | undefined } = {
  receiver: undefined,
  worker: undefined,
};
