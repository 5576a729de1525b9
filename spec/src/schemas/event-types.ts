import { z } from '@hono/zod-openapi';
import { TimestampSchema } from './common.ts';

/** `ticket.created`, `cases.tasks.created`, `collaboration-request.created`, `ping`. */
export const eventTypeNamePattern = /^[A-Za-z0-9_-]+(\.[A-Za-z0-9_-]+)*$/;

export const EventTypeNameSchema = z
  .string()
  .min(1)
  .max(128)
  .regex(eventTypeNamePattern, 'must be dot-separated segments of letters, digits, _ and -')
  .openapi({ example: 'ticket.created' });

export const JsonSchemaSchema = z
  .record(z.string(), z.unknown())
  .openapi('JsonSchema', { description: 'A JSON Schema (draft 2020-12) that event data must satisfy.' });

export const EventTypeSchema = z
  .object({
    name: EventTypeNameSchema,
    description: z.string(),
    schema: JsonSchemaSchema.nullable(),
    deprecated: z.boolean(),
    createdAt: TimestampSchema,
    updatedAt: TimestampSchema,
  })
  .openapi('EventType');

export const CreateEventTypeSchema = z
  .strictObject({
    name: EventTypeNameSchema,
    description: z.string().max(1000).optional(),
    schema: JsonSchemaSchema.optional(),
    deprecated: z.boolean().optional(),
  })
  .openapi('CreateEventType');

export const UpdateEventTypeSchema = z
  .strictObject({
    description: z.string().max(1000).optional(),
    schema: JsonSchemaSchema.nullable().optional(),
    deprecated: z.boolean().optional(),
  })
  .openapi('UpdateEventType');
