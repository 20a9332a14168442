/**
 * @generated SignedSource<<a6e1a5943cf4cbfb52408b803daa5eb2>>
 * @lightSyntaxTransform
 */

/* tslint:disable */
/* eslint-disable */
// @ts-nocheck

import { ReaderFragment } from 'relay-runtime';
import { FragmentRefs } from "relay-runtime";
export type CommentBody_comment$data = {
  readonly author: {
    readonly name: string;
  } | null | undefined;
  readonly bodyHtml: string | null | undefined;
  readonly createdAt: string;
  readonly " $fragmentType": "CommentBody_comment";
};
export type CommentBody_comment$key = {
  readonly " $data"?: CommentBody_comment$data;
  readonly " $fragmentSpreads": FragmentRefs<"CommentBody_comment">;
};

const node: ReaderFragment = {
  "argumentDefinitions": [],
  "kind": "Fragment",
  "metadata": null,
  "name": "CommentBody_comment",
  "selections": [
    {
      "alias": null,
      "args": null,
      "kind": "ScalarField",
      "name": "bodyHtml",
      "storageKey": null
    },
    {
      "alias": null,
      "args": null,
      "kind": "ScalarField",
      "name": "createdAt",
      "storageKey": null
    },
    {
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
    }
  ],
  "type": "Comment",
  "abstractKey": null
};

(node as any).hash = "073f9acbde97b613d40d59ccf2b75421";

export default node;
