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

/** At most 5 examples of an event type, each at most 16 KiB of JSON (docs/delivery.md, "Example events"). */
export const eventTypeExampleLimits = { maxExamples: 5, maxBytes: 16 * 1024 } as const;

export const EventTypeExamplesSchema = z
  .array(
    z.record(z.string(), z.unknown()).superRefine((example, ctx) => {
      if (new TextEncoder().encode(JSON.stringify(example)).length > eventTypeExampleLimits.maxBytes) {
        ctx.addIssue({ code: 'custom', message: `must be at most ${eventTypeExampleLimits.maxBytes} bytes of JSON` });
      }
    }),
  )
  .max(eventTypeExampleLimits.maxExamples)
  .openapi({
    description:
      'Example `data` payloads of this type (at most 5, each at most 16 KiB of JSON), each valid against the ' +
      'schema; `POST /v1/endpoints/{id}/send-example` delivers one.',
    example: [{ ticketId: 't-1', subject: 'Printer on fire' }],
  });

export const EventTypeSchema = z
  .object({
    name: EventTypeNameSchema,
    description: z.string(),
    schema: JsonSchemaSchema.nullable(),
    examples: EventTypeExamplesSchema,
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
    examples: EventTypeExamplesSchema.optional(),
    deprecated: z.boolean().optional(),
  })
  .openapi('CreateEventType');

export const UpdateEventTypeSchema = z
  .strictObject({
    description: z.string().max(1000).optional(),
    schema: JsonSchemaSchema.nullable().optional(),
    examples: EventTypeExamplesSchema.optional().openapi({
      description: 'Replaces the examples; [] removes them. Each must be valid against the resulting schema.',
    }),
    deprecated: z.boolean().optional(),
  })
  .openapi('UpdateEventType');
