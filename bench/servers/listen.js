'use strict';
// Every server listens the same way: on 127.0.0.1, a free port, and the same
// accept backlog as tornadio's SocketServer (4096), so that connect ramps do
// not overflow one server's accept queue and not another's.
const LISTEN_BACKLOG = 4096;

/** Listens on `port` (a cluster node's address is fixed before it starts), or a free one. */
function listen(httpServer, port = 0) {
  return new Promise((resolve, reject) => {
    httpServer.once('error', reject);
    httpServer.listen({ host: '127.0.0.1', port, backlog: LISTEN_BACKLOG }, () => {
      httpServer.off('error', reject);
      resolve(httpServer.address().port);
    });
  });
}

/** Closes an http.Server and every socket it holds; resolves once closed. */
function closeHttp(httpServer) {
  return new Promise((resolve) => {
    httpServer.close(() => resolve());
    httpServer.closeAllConnections();
  });
}

module.exports = { listen, closeHttp };
