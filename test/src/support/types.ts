import type {
  CreatedTokenSchema,
  EndpointSchema,
  EndpointWithSecretSchema,
  EventTypeSchema,
  ProblemSchema,
  RotatedSecretSchema,
  TenantSchema,
  TokenSchema,
} from '@hookport/spec';
import type { z } from 'zod';

/** Response shapes of the native API, for typing test reads (the contract check validates them first). */
export type Tenant = z.infer<typeof TenantSchema>;
export type Token = z.infer<typeof TokenSchema>;
export type CreatedToken = z.infer<typeof CreatedTokenSchema>;
export type EventType = z.infer<typeof EventTypeSchema>;
export type Endpoint = z.infer<typeof EndpointSchema>;
export type EndpointWithSecret = z.infer<typeof EndpointWithSecretSchema>;
export type RotatedSecret = z.infer<typeof RotatedSecretSchema>;
export type Problem = z.infer<typeof ProblemSchema>;
export interface PageOf<T> {
  data: T[];
  nextCursor: string | null;
}
