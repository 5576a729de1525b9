import type { Vendor } from './schemas/common.ts';

export interface CatalogueEntry {
  name: string;
  description: string;
}

/**
 * The event catalogues of the five vendor surfaces (see shared/vendors.md and
 * the vendor documents), loadable into a tenant at creation so a migrating
 * client's event names validate out of the box.
 */
export const vendorCatalogues: Record<Vendor, CatalogueEntry[]> = {
  spedy: [
    { name: 'ticket.created', description: 'A ticket was created' },
    { name: 'ticket.updated', description: 'A ticket was updated' },
    { name: 'ticket.deleted', description: 'A ticket was deleted' },
    { name: 'ticket.status_changed', description: "A ticket's status changed" },
    { name: 'ticket.assigned', description: 'A ticket was assigned or reassigned' },
    { name: 'ticket.comment_added', description: 'A comment was added to a ticket' },
    { name: 'board.created', description: 'A board was created' },
    { name: 'board.updated', description: 'A board was updated' },
  ],
  helpdesk: [
    { name: 'ticket.created', description: 'A ticket was created' },
    { name: 'ticket.updated', description: 'A ticket was updated' },
    { name: 'ticket.deleted', description: 'A ticket was deleted' },
    { name: 'ticket.assignment.changed', description: "A ticket's assignee changed" },
    { name: 'ticket.resolved', description: 'A ticket was resolved' },
  ],
  tsanet: [
    { name: 'collaboration-request.created', description: 'A collaboration request was created' },
    { name: 'note.created', description: 'A note was added to a collaboration request' },
  ],
  // From rapidly-tech/rapidly server/rapidly/models/webhook_endpoint.py (WebhookEventType).
  rapidly: [
    { name: 'customer.created', description: 'A customer was created' },
    { name: 'customer.updated', description: 'A customer was updated' },
    { name: 'customer.deleted', description: 'A customer was deleted' },
    { name: 'customer.state_changed', description: "A customer's state changed" },
    { name: 'share.created', description: 'A share was created' },
    { name: 'share.updated', description: 'A share was updated' },
    { name: 'workspace.updated', description: 'A workspace was updated' },
    { name: 'file_sharing_session.created', description: 'A file sharing session was created' },
    { name: 'file_sharing_session.download_completed', description: 'A download completed' },
    { name: 'file_sharing_session.expired', description: 'A file sharing session expired' },
    { name: 'file_sharing_session.payment_received', description: 'A payment was received' },
  ],
  // The seed lists families with `.*`; these are the concrete names behind them.
  xpath: [
    { name: 'cases.created', description: 'A case was created' },
    { name: 'cases.updated', description: 'A case was updated' },
    { name: 'cases.closed', description: 'A case was closed' },
    { name: 'cases.archived', description: 'A case was archived' },
    { name: 'cases.unarchived', description: 'A case was unarchived' },
    { name: 'cases.tasks.created', description: 'A task was created on a case' },
    { name: 'cases.tasks.updated', description: 'A task was updated' },
    { name: 'cases.tasks.completed', description: 'A task was completed' },
    { name: 'cases.tasks.deleted', description: 'A task was deleted' },
    { name: 'cases.expenses.created', description: 'An expense was added to a case' },
    { name: 'cases.expenses.updated', description: 'An expense was updated' },
    { name: 'cases.expenses.deleted', description: 'An expense was deleted' },
    { name: 'assignments.created', description: 'An assignment was created' },
    { name: 'assignments.updated', description: 'An assignment was updated' },
    { name: 'assignments.status.updated', description: "An assignment's status changed" },
    { name: 'assignments.archived', description: 'An assignment was archived' },
    { name: 'assignments.unarchived', description: 'An assignment was unarchived' },
    { name: 'assignments.extensions.created', description: 'An extension was requested' },
    { name: 'assignments.contacts.created', description: 'A contact was added to an assignment' },
    { name: 'assignments.contacts.updated', description: 'An assignment contact was updated' },
    { name: 'assignments.contacts.deleted', description: 'An assignment contact was removed' },
    { name: 'assignments.billing-details.created', description: 'Billing details were added' },
    { name: 'assignments.billing-details.updated', description: 'Billing details were updated' },
  ],
};
