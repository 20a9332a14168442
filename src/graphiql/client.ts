/*
 * The script the GraphiQL page runs after yoga's GraphiQL bundle (served as an asset of its own, so
 * that the page's Content-Security-Policy allows scripts from the server only, none inline). It is
 * browser JavaScript kept as a string: tsc does not copy non-TypeScript files into dist/, and a
 * function's source text would carry the TypeScript tooling's helpers. test/graphiql-browser.test.ts
 * runs it in Chromium.
 *
 * What it adds to yoga's `renderYogaGraphiQL`:
 * - Monaco's workers from the server's own URLs (yoga's page made blob: URLs of inlined strings);
 * - on a first visit (no tabs stored yet), the first default tab's variables in the Variables pane:
 *   GraphiQL loads a tab's variables when the tab is selected, but fills the panes of the tab it
 *   opens on from its `initialVariables`, empty unless given (graphql/graphiql#3392);
 * - one Headers pane for every tab: GraphiQL keeps headers per tab, so a token pasted in one tab
 *   would be missing from the others. What the editor types or pastes in the Headers pane becomes
 *   the headers of every tab: when GraphiQL refills the pane on switching or adding a tab, the
 *   shared headers are put back. (GraphiQL persists the pane as usual, in the browser's storage,
 *   unless its "persist headers" setting is off.)
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

  var fresh = true;
  try {
    fresh = window.localStorage.getItem('graphiql:tabState') === null;
  } catch (error) {
    // Storage blocked: GraphiQL starts from its defaults every time, as on a first visit.
  }
  var firstTab = options.defaultTabs && options.defaultTabs[0];
  if (fresh && firstTab && firstTab.variables) options.variables = firstTab.variables;

  // The shared headers: the pane's contents as the editor last typed, pasted or prettified them.
  var shared = null;
  var pending = false;
  var switchedTab = false;
  var activeTabId = null;
  options.onTabChange = function (state) {
    var tab = state.tabs[state.activeTabIndex];
    if (tab && tab.id !== activeTabId) {
      activeTabId = tab.id;
      if (pending) switchedTab = true;
    }
  };
  function share(model) {
    if (!/request-headers\.json$/.test(model.uri.toString())) return;
    if (shared === null) shared = model.getValue();
    model.onDidChangeContent(function (event) {
      if (!event.isFlush) {
        // Typed or pasted.
        shared = model.getValue();
        return;
      }
      // Replaced as a whole: by GraphiQL switching or adding tabs (it calls onTabChange right
      // after), or by prettifying (which the editor asked for).
      if (pending) return;
      pending = true;
      switchedTab = false;
      setTimeout(function () {
        pending = false;
        if (model.isDisposed()) return;
        var value = model.getValue();
        if (!switchedTab) shared = value;
        else if (value !== shared) model.setValue(shared);
        switchedTab = false;
      });
    });
  }
  function watch(tries) {
    var monaco = globalThis.__MONACO;
    if (!monaco) {
      if (tries < 1200) setTimeout(watch, 50, tries + 1);
      return;
    }
    monaco.editor.getModels().forEach(share);
    monaco.editor.onDidCreateModel(share);
  }
  watch(0);

  YogaGraphiQL.renderYogaGraphiQL(document.getElementById('root'), options);
})();
`;
