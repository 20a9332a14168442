/**
 * @generated SignedSource<<c23d46cb83ca6e583e519aefa7b2c7df>>
 * @relayHash 54718728a85fdad6ec2796b691ba9512
 * @lightSyntaxTransform
 */

/* tslint:disable */
/* eslint-disable */
// @ts-nocheck

// @relayRequestID 7dd776420c125f6ccf28cc0895202f0718a636dab401d58042ed893b503b305d

import { ConcreteRequest } from 'relay-runtime';
import { FragmentRefs } from "relay-runtime";
export type DeepThreadQuery$variables = {
  slug: string;
};
export type DeepThreadQuery$data = {
  readonly post: {
    readonly " $fragmentSpreads": FragmentRefs<"DeepThreadComments_post">;
  } | null | undefined;
};
export type DeepThreadQuery = {
  response: DeepThreadQuery$data;
  variables: DeepThreadQuery$variables;
};

const node: ConcreteRequest = (function(){
var v0 = [
  {
    "defaultValue": null,
    "kind": "LocalArgument",
    "name": "slug"
  }
],
v1 = [
  {
    "kind": "Variable",
    "name": "slug",
    "variableName": "slug"
  }
],
v2 = [
  {
    "kind": "Literal",
    "name": "first",
    "value": 50
  }
],
v3 = {
  "alias": null,
  "args": null,
  "kind": "ScalarField",
  "name": "bodyHtml",
  "storageKey": null
},
v4 = {
  "alias": null,
  "args": null,
  "kind": "ScalarField",
  "name": "createdAt",
  "storageKey": null
},
v5 = {
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
v6 = {
  "alias": null,
  "args": null,
  "kind": "ScalarField",
  "name": "id",
  "storageKey": null
},
v7 = {
  "alias": null,
  "args": null,
  "kind": "ScalarField",
  "name": "__typename",
  "storageKey": null
},
v8 = {
  "alias": null,
  "args": null,
  "kind": "ScalarField",
  "name": "cursor",
  "storageKey": null
},
v9 = {
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
    "name": "DeepThreadQuery",
    "selections": [
      {
        "alias": null,
        "args": (v1/*:: as any*/),
        "concreteType": "Post",
        "kind": "LinkedField",
        "name": "post",
        "plural": false,
        "selections": [
          {
            "args": null,
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
    "name": "DeepThreadQuery",
    "selections": [
      {
        "alias": null,
        "args": (v1/*:: as any*/),
        "concreteType": "Post",
        "kind": "LinkedField",
        "name": "post",
        "plural": false,
        "selections": [
          {
            "alias": null,
            "args": (v2/*:: as any*/),
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
                      (v3/*:: as any*/),
                      (v4/*:: as any*/),
                      (v5/*:: as any*/),
                      {
                        "alias": null,
                        "args": (v2/*:: as any*/),
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
                                  (v3/*:: as any*/),
                                  (v4/*:: as any*/),
                                  (v5/*:: as any*/),
                                  {
                                    "alias": null,
                                    "args": (v2/*:: as any*/),
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
                                              (v3/*:: as any*/),
                                              (v4/*:: as any*/),
                                              (v5/*:: as any*/),
                                              {
                                                "alias": null,
                                                "args": (v2/*:: as any*/),
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
                                                          (v3/*:: as any*/),
                                                          (v4/*:: as any*/),
                                                          (v5/*:: as any*/),
                                                          {
                                                            "alias": null,
                                                            "args": (v2/*:: as any*/),
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
                                                                      (v3/*:: as any*/),
                                                                      (v4/*:: as any*/),
                                                                      (v5/*:: as any*/),
                                                                      {
                                                                        "alias": null,
                                                                        "args": (v2/*:: as any*/),
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
                                                                                  (v3/*:: as any*/),
                                                                                  (v4/*:: as any*/),
                                                                                  (v5/*:: as any*/),
                                                                                  {
                                                                                    "alias": null,
                                                                                    "args": (v2/*:: as any*/),
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
                                                                                              (v3/*:: as any*/),
                                                                                              (v4/*:: as any*/),
                                                                                              (v5/*:: as any*/),
                                                                                              (v6/*:: as any*/),
                                                                                              (v7/*:: as any*/)
                                                                                            ],
                                                                                            "storageKey": null
                                                                                          },
                                                                                          (v8/*:: as any*/)
                                                                                        ],
                                                                                        "storageKey": null
                                                                                      },
                                                                                      (v9/*:: as any*/)
                                                                                    ],
                                                                                    "storageKey": "replies(first:50)"
                                                                                  },
                                                                                  {
                                                                                    "alias": null,
                                                                                    "args": (v2/*:: as any*/),
                                                                                    "filters": null,
                                                                                    "handle": "connection",
                                                                                    "key": "DeepThreadReplies7_replies",
                                                                                    "kind": "LinkedHandle",
                                                                                    "name": "replies"
                                                                                  },
                                                                                  (v6/*:: as any*/),
                                                                                  (v7/*:: as any*/)
                                                                                ],
                                                                                "storageKey": null
                                                                              },
                                                                              (v8/*:: as any*/)
                                                                            ],
                                                                            "storageKey": null
                                                                          },
                                                                          (v9/*:: as any*/)
                                                                        ],
                                                                        "storageKey": "replies(first:50)"
                                                                      },
                                                                      {
                                                                        "alias": null,
                                                                        "args": (v2/*:: as any*/),
                                                                        "filters": null,
                                                                        "handle": "connection",
                                                                        "key": "DeepThreadReplies6_replies",
                                                                        "kind": "LinkedHandle",
                                                                        "name": "replies"
                                                                      },
                                                                      (v6/*:: as any*/),
                                                                      (v7/*:: as any*/)
                                                                    ],
                                                                    "storageKey": null
                                                                  },
                                                                  (v8/*:: as any*/)
                                                                ],
                                                                "storageKey": null
                                                              },
                                                              (v9/*:: as any*/)
                                                            ],
                                                            "storageKey": "replies(first:50)"
                                                          },
                                                          {
                                                            "alias": null,
                                                            "args": (v2/*:: as any*/),
                                                            "filters": null,
                                                            "handle": "connection",
                                                            "key": "DeepThreadReplies5_replies",
                                                            "kind": "LinkedHandle",
                                                            "name": "replies"
                                                          },
                                                          (v6/*:: as any*/),
                                                          (v7/*:: as any*/)
                                                        ],
                                                        "storageKey": null
                                                      },
                                                      (v8/*:: as any*/)
                                                    ],
                                                    "storageKey": null
                                                  },
                                                  (v9/*:: as any*/)
                                                ],
                                                "storageKey": "replies(first:50)"
                                              },
                                              {
                                                "alias": null,
                                                "args": (v2/*:: as any*/),
                                                "filters": null,
                                                "handle": "connection",
                                                "key": "DeepThreadReplies4_replies",
                                                "kind": "LinkedHandle",
                                                "name": "replies"
                                              },
                                              (v6/*:: as any*/),
                                              (v7/*:: as any*/)
                                            ],
                                            "storageKey": null
                                          },
                                          (v8/*:: as any*/)
                                        ],
                                        "storageKey": null
                                      },
                                      (v9/*:: as any*/)
                                    ],
                                    "storageKey": "replies(first:50)"
                                  },
                                  {
                                    "alias": null,
                                    "args": (v2/*:: as any*/),
                                    "filters": null,
                                    "handle": "connection",
                                    "key": "DeepThreadReplies3_replies",
                                    "kind": "LinkedHandle",
                                    "name": "replies"
                                  },
                                  (v6/*:: as any*/),
                                  (v7/*:: as any*/)
                                ],
                                "storageKey": null
                              },
                              (v8/*:: as any*/)
                            ],
                            "storageKey": null
                          },
                          (v9/*:: as any*/)
                        ],
                        "storageKey": "replies(first:50)"
                      },
                      {
                        "alias": null,
                        "args": (v2/*:: as any*/),
                        "filters": null,
                        "handle": "connection",
                        "key": "DeepThreadReplies2_replies",
                        "kind": "LinkedHandle",
                        "name": "replies"
                      },
                      (v6/*:: as any*/),
                      (v7/*:: as any*/)
                    ],
                    "storageKey": null
                  },
                  (v8/*:: as any*/)
                ],
                "storageKey": null
              },
              (v9/*:: as any*/)
            ],
            "storageKey": "comments(first:50)"
          },
          {
            "alias": null,
            "args": (v2/*:: as any*/),
            "filters": null,
            "handle": "connection",
            "key": "DeepThreadComments_comments",
            "kind": "LinkedHandle",
            "name": "comments"
          },
          (v6/*:: as any*/)
        ],
        "storageKey": null
      }
    ]
  },
  "params": {
    "id": "7dd776420c125f6ccf28cc0895202f0718a636dab401d58042ed893b503b305d",
    "metadata": {},
    "name": "DeepThreadQuery",
    "operationKind": "query",
    "text": null
  }
};
})();

(node as any).hash = "4920f544bde2f05a79b3fe3e219fde49";

export default node;
