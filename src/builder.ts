import SchemaBuilder from '@pothos/core';
import RelayPlugin from '@pothos/plugin-relay';
import type { Context } from './context.js';
import { decodeGlobalId, encodeGlobalId } from './schema/ids.js';

// Configuration only: every type lives in its own file under src/schema/.
export const builder = new SchemaBuilder<{
  Context: Context;
  Scalars: {
    DateTime: { Input: Date; Output: Date };
    ID: { Input: string; Output: string | number };
  };
  // Every connection can count itself, lazily: the count runs only when `totalCount` is asked.
  Connection: { totalCount: () => Promise<number> | number };
  // Fields are non-null unless declared nullable: the SDL then says what clients can rely on.
  DefaultFieldNullability: false;
  DefaultEdgesNullability: false;
  DefaultNodeNullability: false;
}>({
  plugins: [RelayPlugin],
  defaultFieldNullability: false,
  relay: {
    cursorType: 'String',
    encodeGlobalID: encodeGlobalId,
    decodeGlobalID: decodeGlobalId,
    edgesFieldOptions: { nullable: false },
    nodeFieldOptions: { nullable: false },
  },
});
