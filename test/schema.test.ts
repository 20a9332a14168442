import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { possibleTypesFile, printedPossibleTypes, printedSchema, schemaFile } from '../src/schema/print.js';

describe('schema/schema.graphql and schema/possible-types.json', () => {
  it('match the schema the code builds (run `npm run schema:print` to update them)', () => {
    expect(readFileSync(schemaFile, 'utf8')).toBe(printedSchema());
    expect(readFileSync(possibleTypesFile, 'utf8')).toBe(printedPossibleTypes());
  });
});
