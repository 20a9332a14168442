/*
 * The script the GraphiQL page runs after yoga's GraphiQL bundle (served as an asset of its own, so
 * that the page's Content-Security-Policy allows scripts from the server only, none inline). It is
 * browser JavaScript kept as a string: tsc does not copy non-TypeScript files into dist/, and a
 * function's source text would carry the TypeScript tooling's helpers.
 *
 * What it adds to yoga's `renderYogaGraphiQL`: Monaco's workers from the server's own URLs (yoga's
 * page made blob: URLs of inlined strings).
 */
export const clientScript = String.raw`(function () {
  'use strict';
  var options = JSON.parse(document.getElementById('graphiql-options').textContent);
  var workers = options.workers;
  delete options.workers;
  self.MonacoEnvironment = {
    globalAPI: false,
    getWorkerUrl: function (moduleId, label) {
      return workers[label] || workers.editorWorkerService;
    },
  };

  YogaGraphiQL.renderYogaGraphiQL(document.getElementById('root'), options);
})();
`;
