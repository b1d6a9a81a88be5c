// GraphiQL for Cove: queries and mutations over HTTP POST, subscriptions over a small
// graphql-transport-ws client (one WebSocket per subscription; enough for an IDE).
// The server's token is taken from the page address (#token=..., which browsers never send to the
// server) once, removed from the address bar and kept for the tab's session; it travels as an
// Authorization header (HTTP) and in connection_init (WebSocket), never in a URL the server sees.
(function () {
  'use strict';
  var hash = new URLSearchParams(location.hash.slice(1));
  if (hash.get('token')) {
    sessionStorage.setItem('cove-token', hash.get('token'));
    history.replaceState(null, '', location.pathname + location.search);
  }
  var token = sessionStorage.getItem('cove-token');
  var endpoint = location.origin + '/graphql';
  var wsEndpoint = endpoint.replace(/^http/, 'ws');

  function isSubscription(params) {
    var q = (params.query || '').replace(/#[^\n]*/g, '');
    if (params.operationName) {
      var re = new RegExp('subscription\\s+' + params.operationName + '\\b');
      return re.test(q);
    }
    return /^\s*subscription\b/.test(q);
  }

  function httpFetch(params) {
    var headers = { 'Content-Type': 'application/json', 'Accept': 'application/graphql-response+json, application/json' };
    if (token) { headers['Authorization'] = 'Bearer ' + token; }
    return fetch(endpoint, { method: 'POST', headers: headers, body: JSON.stringify(params) })
      .then(function (r) {
        if (r.status === 401) {
          return { errors: [{ message: 'This server needs its token: open the address that `cove graphql` printed '
            + '(it ends in #token=...), or add #token=$(cat {instance data}/graphql/token) to this address.' }] };
        }
        return r.json();
      });
  }

  function wsSubscribe(params) {
    return {
      subscribe: function (observer) {
        var ws = new WebSocket(wsEndpoint, 'graphql-transport-ws');
        var done = false;
        ws.onopen = function () {
          ws.send(JSON.stringify({ type: 'connection_init', payload: token ? { authorization: 'Bearer ' + token } : {} }));
        };
        ws.onmessage = function (e) {
          var m = JSON.parse(e.data);
          if (m.type === 'connection_ack') {
            ws.send(JSON.stringify({ id: '1', type: 'subscribe', payload: params }));
          } else if (m.type === 'ping') {
            ws.send(JSON.stringify({ type: 'pong' }));
          } else if (m.type === 'next') {
            observer.next(m.payload);
          } else if (m.type === 'error') {
            done = true;
            observer.next({ errors: m.payload });
            observer.complete();
            ws.close(1000);
          } else if (m.type === 'complete') {
            done = true;
            observer.complete();
            ws.close(1000);
          }
        };
        ws.onclose = function (e) {
          if (!done) {
            done = true;
            observer.next({ errors: [{ message: 'WebSocket closed: ' + e.code + ' ' + e.reason }] });
            observer.complete();
          }
        };
        return {
          unsubscribe: function () {
            if (!done && ws.readyState === WebSocket.OPEN) {
              done = true;
              ws.send(JSON.stringify({ id: '1', type: 'complete' }));
              ws.close(1000);
            }
          }
        };
      }
    };
  }

  function fetcher(params) {
    return isSubscription(params) ? wsSubscribe(params) : httpFetch(params);
  }

  var defaultQuery = [
    '# Cove over GraphQL. Ctrl-Enter runs the query; the Docs pane lists every operation.',
    '{',
    '  _server { connected instance daemonVersion }',
    '}',
    ''
  ].join('\n');

  var root = ReactDOM.createRoot(document.getElementById('graphiql'));
  root.render(React.createElement(GraphiQL, { fetcher: fetcher, defaultQuery: defaultQuery }));
})();
