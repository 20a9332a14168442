import { fileURLToPath } from 'node:url';
import { isAbstractType, printSchema } from 'graphql';
import { schema } from './index.js';

/** The committed contract frontends generate types from (types and fields sorted). */
export const schemaFile = fileURLToPath(new URL('../../schema/schema.graphql', import.meta.url));

export const printedSchema = () => `${printSchema(schema)}\n`;

/**
 * What Apollo Client's cache needs to match fragments on interfaces and unions (its `possibleTypes`
 * option): without it, `... on Error { code message }` on a mutation's result reads nothing.
 */
export const possibleTypesFile = fileURLToPath(new URL('../../schema/possible-types.json', import.meta.url));

export function printedPossibleTypes(): string {
  const abstract = Object.values(schema.getTypeMap())
    .filter(isAbstractType)
    .filter((type) => !type.name.startsWith('__'))
    .sort((a, b) => a.name.localeCompare(b.name));
  const map = Object.fromEntries(abstract.map((type) => [type.name, schema.getPossibleTypes(type).map((t) => t.name).sort()]));
  return `${JSON.stringify(map, null, 2)}\n`;
}
