import { lexicographicSortSchema } from 'graphql';
import { chargeCommentsOnOutput } from '../budget.js';
import { builder } from '../builder.js';
import { weight } from '../limits.js';
import './date-time.js';
import './sort-order.js';
import './author.js';
import './tag.js';
import './post.js';
import './comment.js';
import './comment-author.js';
import './comment-sender.js';
import './comment-revision.js';
import './error.js';
import './viewer.js';
import './api-token.js';
import './blocked-sender.js';
import './thread-event.js';

builder.queryType({});
builder.mutationType({});
builder.subscriptionType({});

builder.globalConnectionField('totalCount', (t) =>
  // A count: it reads the whole list's index range.
  t.int({ description: 'Size of the whole list, not just this page.', extensions: weight(1), resolve: (connection) => connection.totalCount() }),
);

export const schema = lexicographicSortSchema(builder.toSchema());
// Every comment a resolver returns is charged to the request's budget, every declared list capped.
chargeCommentsOnOutput(schema);
