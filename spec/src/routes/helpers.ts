import type { z } from '@hono/zod-openapi';

/** A required JSON request body: without `required`, a non-JSON request would validate as `{}`. */
export function jsonBody<T extends z.ZodType>(schema: T, description?: string) {
  return {
    required: true,
    description,
    content: { 'application/json': { schema } },
  } as const;
}

/** An optional JSON request body (an empty request means "all defaults"). */
export function optionalJsonBody<T extends z.ZodType>(schema: T, description?: string) {
  return {
    required: false,
    description,
    content: { 'application/json': { schema } },
  } as const;
}

export function jsonResponse<T extends z.ZodType>(schema: T, description: string) {
  return { description, content: { 'application/json': { schema } } } as const;
}

export const bearerAuth = [{ bearer: [] }];

export const noContent = { description: 'Done; no body.' } as const;
