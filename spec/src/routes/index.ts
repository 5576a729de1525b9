import * as endpoints from './endpoints.ts';
import * as eventTypes from './event-types.ts';
import * as events from './events.ts';
import * as service from './service.ts';
import * as tenants from './tenants.ts';

export { endpoints, events, eventTypes, service, tenants };

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
  endpoints.recoverEndpoint,
  events.publishEvent,
  events.listEvents,
  events.getEvent,
  events.listDeliveries,
  events.getDelivery,
  events.redeliver,
];
