-- Tenants, their API tokens, event catalogue and endpoints.
-- Ids are UUIDv7 (time-ordered); the API renders them as TypeIDs.

create table tenants (
  id uuid primary key,
  name text not null,
  metadata jsonb not null default '{}',
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now()
);

-- Only the SHA-256 of a token is kept: tokens are 256 random bits, so a
-- fast hash is enough and lookups stay one index probe.
create table api_tokens (
  id uuid primary key,
  tenant_id uuid not null references tenants (id) on delete cascade,
  name text not null,
  scopes jsonb not null,
  token_hash text not null unique,
  created_at timestamptz not null default now(),
  expires_at timestamptz,
  revoked_at timestamptz
);
create index api_tokens_tenant on api_tokens (tenant_id, id desc);

create table event_types (
  tenant_id uuid not null references tenants (id) on delete cascade,
  name text not null,
  description text not null default '',
  schema jsonb,
  deprecated boolean not null default false,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now(),
  primary key (tenant_id, name)
);

-- seq gives each endpoint a stable integer for surfaces with int64 ids (TSANet).
create table endpoints (
  id uuid primary key,
  seq bigint generated always as identity unique,
  tenant_id uuid not null references tenants (id) on delete cascade,
  url text not null,
  name text not null default '',
  description text not null default '',
  event_types jsonb not null,
  status text not null check (status in ('active', 'paused', 'disabled')),
  profile text not null,
  headers jsonb not null default '{}',
  rate_limit integer,
  metadata jsonb not null default '{}',
  secret_enc text not null,
  previous_secret_enc text,
  previous_secret_expires_at timestamptz,
  disabled_reason text,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now()
);
create index endpoints_tenant on endpoints (tenant_id, id desc);

-- Process-wide facts, such as the check value that proves HOOKPORT_SECRET_KEY
-- is the key this database was encrypted with.
create table settings (
  key text primary key,
  value text not null
);
