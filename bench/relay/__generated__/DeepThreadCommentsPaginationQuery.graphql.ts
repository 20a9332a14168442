/**
 * @generated SignedSource<<94e0c9dbb8b81bb3339b21026b025d69>>
 * @relayHash c0c1323837600809778c9b7cfb8f280e
 * @lightSyntaxTransform
 */

/* tslint:disable */
/* eslint-disable */
// @ts-nocheck

// @relayRequestID efdf59c4c4bbfcb5fd7719e5c7c72de8024a06da13ae9d25a7e11696213d0396

import { ConcreteRequest } from 'relay-runtime';
import { FragmentRefs } from "relay-runtime";
export type DeepThreadCommentsPaginationQuery$variables = {
  count?: number | null | undefined;
  cursor?: string | null | undefined;
  id: string;
};
export type DeepThreadCommentsPaginationQuery$data = {
  readonly node: {
    readonly " $fragmentSpreads": FragmentRefs<"DeepThreadComments_post">;
  } | null | undefined;
};
export type DeepThreadCommentsPaginationQuery = {
  response: DeepThreadCommentsPaginationQuery$data;
  variables: DeepThreadCommentsPaginationQuery$variables;
};

const node: ConcreteRequest = (function(){
var v0 = [
  {
    "defaultValue": 50,
    "kind": "LocalArgument",
    "name": "count"
  },
  {
    "defaultValue": null,
    "kind": "LocalArgument",
    "name": "cursor"
  },
  {
    "defaultValue": null,
    "kind": "LocalArgument",
    "name": "id"
  }
],
v1 = [
  {
    "kind": "Variable",
    "name": "id",
    "variableName": "id"
  }
],
v2 = {
  "alias": null,
  "args": null,
  "kind": "ScalarField",
  "name": "__typename",
  "storageKey": null
},
v3 = {
  "alias": null,
  "args": null,
  "kind": "ScalarField",
  "name": "id",
  "storageKey": null
},
v4 = [
  {
    "kind": "Variable",
    "name": "after",
    "variableName": "cursor"
  },
  {
    "kind": "Variable",
    "name": "first",
    "variableName": "count"
  }
],
v5 = {
  "alias": null,
  "args": null,
  "kind": "ScalarField",
  "name": "bodyHtml",
  "storageKey": null
},
v6 = {
  "alias": null,
  "args": null,
  "kind": "ScalarField",
  "name": "createdAt",
  "storageKey": null
},
v7 = {
  "alias": null,
  "args": null,
  "concreteType": "CommentAuthor",
  "kind": "LinkedField",
  "name": "author",
  "plural": false,
  "selections": [
    {
      "alias": null,
      "args": null,
      "kind": "ScalarField",
      "name": "name",
      "storageKey": null
    }
  ],
  "storageKey": null
},
v8 = [
  {
    "kind": "Literal",
    "name": "first",
    "value": 50
  }
],
v9 = {
  "alias": null,
  "args": null,
  "kind": "ScalarField",
  "name": "cursor",
  "storageKey": null
},
v10 = {
  "alias": null,
  "args": null,
  "concreteType": "PageInfo",
  "kind": "LinkedField",
  "name": "pageInfo",
  "plural": false,
  "selections": [
    {
      "alias": null,
      "args": null,
      "kind": "ScalarField",
      "name": "endCursor",
      "storageKey": null
    },
    {
      "alias": null,
      "args": null,
      "kind": "ScalarField",
      "name": "hasNextPage",
      "storageKey": null
    }
  ],
  "storageKey": null
};
return {
  "fragment": {
    "argumentDefinitions": (v0/*:: as any*/),
    "kind": "Fragment",
    "metadata": null,
    "name": "DeepThreadCommentsPaginationQuery",
    "selections": [
      {
        "alias": null,
        "args": (v1/*:: as any*/),
        "concreteType": null,
        "kind": "LinkedField",
        "name": "node",
        "plural": false,
        "selections": [
          {
            "args": [
              {
                "kind": "Variable",
                "name": "count",
                "variableName": "count"
              },
              {
                "kind": "Variable",
                "name": "cursor",
                "variableName": "cursor"
              }
            ],
            "kind": "FragmentSpread",
            "name": "DeepThreadComments_post"
          }
        ],
        "storageKey": null
      }
    ],
    "type": "Query",
    "abstractKey": null
  },
  "kind": "Request",
  "operation": {
    "argumentDefinitions": (v0/*:: as any*/),
    "kind": "Operation",
    "name": "DeepThreadCommentsPaginationQuery",
    "selections": [
      {
        "alias": null,
        "args": (v1/*:: as any*/),
        "concreteType": null,
        "kind": "LinkedField",
        "name": "node",
        "plural": false,
        "selections": [
          (v2/*:: as any*/),
          (v3/*:: as any*/),
          {
            "kind": "InlineFragment",
            "selections": [
              {
                "alias": null,
                "args": (v4/*:: as any*/),
                "concreteType": "CommentConnection",
                "kind": "LinkedField",
                "name": "comments",
                "plural": false,
                "selections": [
                  {
                    "alias": null,
                    "args": null,
                    "concreteType": "CommentEdge",
                    "kind": "LinkedField",
                    "name": "edges",
                    "plural": true,
                    "selections": [
                      {
                        "alias": null,
                        "args": null,
                        "concreteType": "Comment",
                        "kind": "LinkedField",
                        "name": "node",
                        "plural": false,
                        "selections": [
                          (v5/*:: as any*/),
                          (v6/*:: as any*/),
                          (v7/*:: as any*/),
                          {
                            "alias": null,
                            "args": (v8/*:: as any*/),
                            "concreteType": "CommentConnection",
                            "kind": "LinkedField",
                            "name": "replies",
                            "plural": false,
                            "selections": [
                              {
                                "alias": null,
                                "args": null,
                                "concreteType": "CommentEdge",
                                "kind": "LinkedField",
                                "name": "edges",
                                "plural": true,
                                "selections": [
                                  {
                                    "alias": null,
                                    "args": null,
                                    "concreteType": "Comment",
                                    "kind": "LinkedField",
                                    "name": "node",
                                    "plural": false,
                                    "selections": [
                                      (v5/*:: as any*/),
                                      (v6/*:: as any*/),
                                      (v7/*:: as any*/),
                                      {
                                        "alias": null,
                                        "args": (v8/*:: as any*/),
                                        "concreteType": "CommentConnection",
                                        "kind": "LinkedField",
                                        "name": "replies",
                                        "plural": false,
                                        "selections": [
                                          {
                                            "alias": null,
                                            "args": null,
                                            "concreteType": "CommentEdge",
                                            "kind": "LinkedField",
                                            "name": "edges",
                                            "plural": true,
                                            "selections": [
                                              {
                                                "alias": null,
                                                "args": null,
                                                "concreteType": "Comment",
                                                "kind": "LinkedField",
                                                "name": "node",
                                                "plural": false,
                                                "selections": [
                                                  (v5/*:: as any*/),
                                                  (v6/*:: as any*/),
                                                  (v7/*:: as any*/),
                                                  {
                                                    "alias": null,
                                                    "args": (v8/*:: as any*/),
                                                    "concreteType": "CommentConnection",
                                                    "kind": "LinkedField",
                                                    "name": "replies",
                                                    "plural": false,
                                                    "selections": [
                                                      {
                                                        "alias": null,
                                                        "args": null,
                                                        "concreteType": "CommentEdge",
                                                        "kind": "LinkedField",
                                                        "name": "edges",
                                                        "plural": true,
                                                        "selections": [
                                                          {
                                                            "alias": null,
                                                            "args": null,
                                                            "concreteType": "Comment",
                                                            "kind": "LinkedField",
                                                            "name": "node",
                                                            "plural": false,
                                                            "selections": [
                                                              (v5/*:: as any*/),
                                                              (v6/*:: as any*/),
                                                              (v7/*:: as any*/),
                                                              {
                                                                "alias": null,
                                                                "args": (v8/*:: as any*/),
                                                                "concreteType": "CommentConnection",
                                                                "kind": "LinkedField",
                                                                "name": "replies",
                                                                "plural": false,
                                                                "selections": [
                                                                  {
                                                                    "alias": null,
                                                                    "args": null,
                                                                    "concreteType": "CommentEdge",
                                                                    "kind": "LinkedField",
                                                                    "name": "edges",
                                                                    "plural": true,
                                                                    "selections": [
                                                                      {
                                                                        "alias": null,
                                                                        "args": null,
                                                                        "concreteType": "Comment",
                                                                        "kind": "LinkedField",
                                                                        "name": "node",
                                                                        "plural": false,
                                                                        "selections": [
                                                                          (v5/*:: as any*/),
                                                                          (v6/*:: as any*/),
                                                                          (v7/*:: as any*/),
                                                                          {
                                                                            "alias": null,
                                                                            "args": (v8/*:: as any*/),
                                                                            "concreteType": "CommentConnection",
                                                                            "kind": "LinkedField",
                                                                            "name": "replies",
                                                                            "plural": false,
                                                                            "selections": [
                                                                              {
                                                                                "alias": null,
                                                                                "args": null,
                                                                                "concreteType": "CommentEdge",
                                                                                "kind": "LinkedField",
                                                                                "name": "edges",
                                                                                "plural": true,
                                                                                "selections": [
                                                                                  {
                                                                                    "alias": null,
                                                                                    "args": null,
                                                                                    "concreteType": "Comment",
                                                                                    "kind": "LinkedField",
                                                                                    "name": "node",
                                                                                    "plural": false,
                                                                                    "selections": [
                                                                                      (v5/*:: as any*/),
                                                                                      (v6/*:: as any*/),
                                                                                      (v7/*:: as any*/),
                                                                                      {
                                                                                        "alias": null,
                                                                                        "args": (v8/*:: as any*/),
                                                                                        "concreteType": "CommentConnection",
                                                                                        "kind": "LinkedField",
                                                                                        "name": "replies",
                                                                                        "plural": false,
                                                                                        "selections": [
                                                                                          {
                                                                                            "alias": null,
                                                                                            "args": null,
                                                                                            "concreteType": "CommentEdge",
                                                                                            "kind": "LinkedField",
                                                                                            "name": "edges",
                                                                                            "plural": true,
                                                                                            "selections": [
                                                                                              {
                                                                                                "alias": null,
                                                                                                "args": null,
                                                                                                "concreteType": "Comment",
                                                                                                "kind": "LinkedField",
                                                                                                "name": "node",
                                                                                                "plural": false,
                                                                                                "selections": [
                                                                                                  (v5/*:: as any*/),
                                                                                                  (v6/*:: as any*/),
                                                                                                  (v7/*:: as any*/),
                                                                                                  (v3/*:: as any*/),
                                                                                                  (v2/*:: as any*/)
                                                                                                ],
                                                                                                "storageKey": null
                                                                                              },
                                                                                              (v9/*:: as any*/)
                                                                                            ],
                                                                                            "storageKey": null
                                                                                          },
                                                                                          (v10/*:: as any*/)
                                                                                        ],
                                                                                        "storageKey": "replies(first:50)"
                                                                                      },
                                                                                      {
                                                                                        "alias": null,
                                                                                        "args": (v8/*:: as any*/),
                                                                                        "filters": null,
                                                                                        "handle": "connection",
                                                                                        "key": "DeepThreadReplies7_replies",
                                                                                        "kind": "LinkedHandle",
                                                                                        "name": "replies"
                                                                                      },
                                                                                      (v3/*:: as any*/),
                                                                                      (v2/*:: as any*/)
                                                                                    ],
                                                                                    "storageKey": null
                                                                                  },
                                                                                  (v9/*:: as any*/)
                                                                                ],
                                                                                "storageKey": null
                                                                              },
                                                                              (v10/*:: as any*/)
                                                                            ],
                                                                            "storageKey": "replies(first:50)"
                                                                          },
                                                                          {
                                                                            "alias": null,
                                                                            "args": (v8/*:: as any*/),
                                                                            "filters": null,
                                                                            "handle": "connection",
                                                                            "key": "DeepThreadReplies6_replies",
                                                                            "kind": "LinkedHandle",
                                                                            "name": "replies"
                                                                          },
                                                                          (v3/*:: as any*/),
                                                                          (v2/*:: as any*/)
                                                                        ],
                                                                        "storageKey": null
                                                                      },
                                                                      (v9/*:: as any*/)
                                                                    ],
                                                                    "storageKey": null
                                                                  },
                                                                  (v10/*:: as any*/)
                                                                ],
                                                                "storageKey": "replies(first:50)"
                                                              },
                                                              {
                                                                "alias": null,
                                                                "args": (v8/*:: as any*/),
                                                                "filters": null,
                                                                "handle": "connection",
                                                                "key": "DeepThreadReplies5_replies",
                                                                "kind": "LinkedHandle",
                                                                "name": "replies"
                                                              },
                                                              (v3/*:: as any*/),
                                                              (v2/*:: as any*/)
                                                            ],
                                                            "storageKey": null
                                                          },
                                                          (v9/*:: as any*/)
                                                        ],
                                                        "storageKey": null
                                                      },
                                                      (v10/*:: as any*/)
                                                    ],
                                                    "storageKey": "replies(first:50)"
                                                  },
                                                  {
                                                    "alias": null,
                                                    "args": (v8/*:: as any*/),
                                                    "filters": null,
                                                    "handle": "connection",
                                                    "key": "DeepThreadReplies4_replies",
                                                    "kind": "LinkedHandle",
                                                    "name": "replies"
                                                  },
                                                  (v3/*:: as any*/),
                                                  (v2/*:: as any*/)
                                                ],
                                                "storageKey": null
                                              },
                                              (v9/*:: as any*/)
                                            ],
                                            "storageKey": null
                                          },
                                          (v10/*:: as any*/)
                                        ],
                                        "storageKey": "replies(first:50)"
                                      },
                                      {
                                        "alias": null,
                                        "args": (v8/*:: as any*/),
                                        "filters": null,
                                        "handle": "connection",
                                        "key": "DeepThreadReplies3_replies",
                                        "kind": "LinkedHandle",
                                        "name": "replies"
                                      },
                                      (v3/*:: as any*/),
                                      (v2/*:: as any*/)
                                    ],
                                    "storageKey": null
                                  },
                                  (v9/*:: as any*/)
                                ],
                                "storageKey": null
                              },
                              (v10/*:: as any*/)
                            ],
                            "storageKey": "replies(first:50)"
                          },
                          {
                            "alias": null,
                            "args": (v8/*:: as any*/),
                            "filters": null,
                            "handle": "connection",
                            "key": "DeepThreadReplies2_replies",
                            "kind": "LinkedHandle",
                            "name": "replies"
                          },
                          (v3/*:: as any*/),
                          (v2/*:: as any*/)
                        ],
                        "storageKey": null
                      },
                      (v9/*:: as any*/)
                    ],
                    "storageKey": null
                  },
                  (v10/*:: as any*/)
                ],
                "storageKey": null
              },
              {
                "alias": null,
                "args": (v4/*:: as any*/),
                "filters": null,
                "handle": "connection",
                "key": "DeepThreadComments_comments",
                "kind": "LinkedHandle",
                "name": "comments"
              }
            ],
            "type": "Post",
            "abstractKey": null
          }
        ],
        "storageKey": null
      }
    ]
  },
  "params": {
    "id": "efdf59c4c4bbfcb5fd7719e5c7c72de8024a06da13ae9d25a7e11696213d0396",
    "metadata": {},
    "name": "DeepThreadCommentsPaginationQuery",
    "operationKind": "query",
    "text": null
  }
};
})();

(node as any).hash = "8e2524cf17245a2720b32d5bafd0511f";

export default node;
