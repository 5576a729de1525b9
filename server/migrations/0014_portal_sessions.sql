-- Portal sessions (docs/api.md, "Portal sessions"): short-lived console links for one tenant's end users.
-- Like api_tokens, only the SHA-256 of the token is kept. endpoint_metadata, when set, limits the session
-- to endpoints whose metadata contains those pairs.
create table portal_sessions (
  id uuid primary key,
  tenant_id uuid not null references tenants (id) on delete cascade,
  token_hash text not null unique,
  endpoint_metadata jsonb,
  read_only boolean not null default false,
  created_at timestamptz not null default now(),
  expires_at timestamptz not null,
  revoked_at timestamptz
);
create index portal_sessions_tenant on portal_sessions (tenant_id);
