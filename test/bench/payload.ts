/** The event the bench sends: the same data for the raw baseline and for Hookport. */

export const eventType = 'ticket.updated';

export function ticketData(seq: number, sentAt: number) {
  return {
    sentAt,
    seq,
    ticket: {
      id: `T-${100000 + seq}`,
      subject: 'Printer on the third floor is on fire again',
      status: 'open',
      priority: 'high',
      requester: { name: 'Ada Lovelace', email: 'ada@example.com' },
      tags: ['hardware', 'urgent'],
    },
  };
}
