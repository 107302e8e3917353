// Starts GraphiQL against the address this page came from (GET shows the page, POST runs the
// query). A file, not an inline script, so the page's Content-Security-Policy allows scripts from
// the hub only. Headers typed into the Headers pane are sent with every request, introspection
// included, and are not kept in the browser's storage (shouldPersistHeaders stays false).
(function () {
  'use strict';

  var endpoint = window.location.origin + window.location.pathname;
  var root = ReactDOM.createRoot(document.getElementById('graphiql'));
  root.render(
    React.createElement(GraphiQL, {
      fetcher: GraphiQL.createFetcher({ url: endpoint }),
      defaultEditorToolsVisibility: 'headers',
      defaultHeaders: '{\n  "Authorization": "Bearer <paste a token from: api token --council 886 --role caseworker>"\n}\n',
      defaultQuery: '{ me { subject roles council { name } } }\n',
      shouldPersistHeaders: false,
    })
  );
})();
