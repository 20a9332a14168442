import { builder } from '../builder.js';

export const SortOrder = builder.enumType('SortOrder', {
  description: 'Chronological order of a list.',
  values: {
    OLDEST_FIRST: { value: 'OLDEST_FIRST' },
    NEWEST_FIRST: { value: 'NEWEST_FIRST' },
  } as const,
});

export const isDescending = (order: 'OLDEST_FIRST' | 'NEWEST_FIRST') => order === 'NEWEST_FIRST';
