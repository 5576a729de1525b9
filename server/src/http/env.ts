import type { Principal } from '@hookport/spec';

/** What middleware leaves on the Hono context for handlers. */
export interface AppEnv {
  Variables: {
    requestId: string;
    principal: Principal;
  };
}
