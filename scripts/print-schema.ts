import { writeFileSync } from 'node:fs';
import { possibleTypesFile, printedPossibleTypes, printedSchema, schemaFile } from '../src/schema/print.js';

// Rewrites the committed SDL and possible types; test/schema.test.ts fails while they are stale.
writeFileSync(schemaFile, printedSchema());
writeFileSync(possibleTypesFile, printedPossibleTypes());
console.log(`Wrote ${schemaFile} and ${possibleTypesFile}`);
