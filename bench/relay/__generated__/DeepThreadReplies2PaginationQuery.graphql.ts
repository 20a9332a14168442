/**
 * @generated SignedSource<<27ec0ab3f7d192990ae0ee5b6724069d>>
 * @relayHash dded6fb59a6f8011a347521c116f3f7b
 * @lightSyntaxTransform
 */

/* tslint:disable */
/* eslint-disable */
// @ts-nocheck

// @relayRequestID f0c526f24de6f611442d91b1dbea0a54681847c899ccc1c37c875a6c27a099e7

import { ConcreteRequest } from 'relay-runtime';
import { FragmentRefs } from "relay-runtime";
export type DeepThreadReplies2PaginationQuery$variables = {
  count?: number | null | undefined;
  cursor?: string | null | undefined;
  id: string;
};
export type DeepThreadReplies2PaginationQuery$data = {
  readonly node: {
    readonly " $fragmentSpreads": FragmentRefs<"DeepThreadReplies2_comment">;
  } | null | undefined;
};
export type DeepThreadReplies2PaginationQuery = {
  response: DeepThreadReplies2PaginationQuery$data;
  variables: DeepThreadReplies2PaginationQuery$variables;
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
    "name": "DeepThreadReplies2PaginationQuery",
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
            "name": "DeepThreadReplies2_comment"
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
    "name": "DeepThreadReplies2PaginationQuery",
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
                "storageKey": null
              },
              {
                "alias": null,
                "args": (v4/*:: as any*/),
                "filters": null,
                "handle": "connection",
                "key": "DeepThreadReplies2_replies",
                "kind": "LinkedHandle",
                "name": "replies"
              }
            ],
            "type": "Comment",
            "abstractKey": null
          }
        ],
        "storageKey": null
      }
    ]
  },
  "params": {
    "id": "f0c526f24de6f611442d91b1dbea0a54681847c899ccc1c37c875a6c27a099e7",
    "metadata": {},
    "name": "DeepThreadReplies2PaginationQuery",
    "operationKind": "query",
    "text": null
  }
};
})();

(node as any).hash = "42512a361c9bec18bbce74e8c65ee24a";

export default node;
