import * as endpoints from './endpoints.ts';
import * as eventTypes from './event-types.ts';
import * as events from './events.ts';
import * as portalSessions from './portal-sessions.ts';
import * as service from './service.ts';
import * as stats from './stats.ts';
import * as tenants from './tenants.ts';

export { endpoints, events, eventTypes, portalSessions, service, stats, tenants };

/** Every native route, in the order the document lists them. */
export const nativeRoutes = [
  service.health,
  service.ready,
  tenants.createTenant,
  tenants.listTenants,
  tenants.getTenant,
  tenants.updateTenant,
  tenants.createToken,
  tenants.listTokens,
  tenants.revokeToken,
  portalSessions.createPortalSession,
  portalSessions.revokePortalSession,
  portalSessions.getCurrentPortalSession,
  eventTypes.createEventType,
  eventTypes.listEventTypes,
  eventTypes.getEventType,
  eventTypes.updateEventType,
  eventTypes.deleteEventType,
  endpoints.createEndpoint,
  endpoints.listEndpoints,
  endpoints.getEndpoint,
  endpoints.updateEndpoint,
  endpoints.deleteEndpoint,
  endpoints.rotateEndpointSecret,
  endpoints.pingEndpoint,
  endpoints.sendExampleToEndpoint,
  endpoints.recoverEndpoint,
  stats.getEndpointStats,
  stats.getStats,
  endpoints.testEndpointFilter,
  events.publishEvent,
  events.publishEventBatch,
  events.listEvents,
  events.getEvent,
  events.expungeEventContent,
  events.listDeliveries,
  events.getDelivery,
  events.redeliver,
  events.replayDeliveries,
  events.skipDelivery,
];
