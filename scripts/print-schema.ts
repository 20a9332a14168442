import { writeFileSync } from 'node:fs';
import { printedSchema, schemaFile } from '../src/schema/print.js';

// Rewrites the committed SDL; test/schema.test.ts fails while it is stale.
writeFileSync(schemaFile, printedSchema());
console.log(`Wrote ${schemaFile}`);
