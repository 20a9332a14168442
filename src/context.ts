import type { Db } from './db/client.js';
import { createLoaders, type Loaders } from './loaders.js';

export interface Context {
  db: Db;
  /** Fresh for every request: a DataLoader's cache must never outlive the request it served. */
  loaders: Loaders;
}

export function createContext(db: Db): Context {
  return { db, loaders: createLoaders(db) };
}
