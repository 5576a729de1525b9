export { inMemory } from './bootstrap.ts';
export { type Config, ConfigError, loadConfig } from './config.ts';
export { createCore, SecretKeyMismatchError, verifySecretKey } from './core/core.ts';
export { type Database, openPglite, openPostgres, type Queryable } from './db/database.ts';
export { migrate } from './db/migrate.ts';
export { createApp } from './http/app.ts';
export { createLogger } from './logger.ts';
export { createPublisher, type Publisher, type TransactionalPublishInput } from './publisher.ts';
export { type Hookport, openDatabase, openHookport, type Role, version } from './runtime.ts';
