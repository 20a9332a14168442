import { fileURLToPath } from 'node:url';
import { printSchema } from 'graphql';
import { schema } from './index.js';

/** The committed contract frontends generate types from (types and fields sorted). */
export const schemaFile = fileURLToPath(new URL('../../schema/schema.graphql', import.meta.url));

export const printedSchema = () => `${printSchema(schema)}\n`;
