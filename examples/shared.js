'use strict';
// What both examples do when run from the command line (`npm start`,
// `npm run start:ping`), rather than required by the tests.

/**
 * Starts an example's server with its defaults (`start()` returns
 * `{ server }`), prints the page's URL once the server listens, or why it
 * could not, and closes the server on Ctrl-C or SIGTERM: server.close()
 * closes every session, running each connection's onClose, and Node exits.
 */
function runAsMain(start, name) {
  const { server } = start();
  server.listening.then(
    () => console.log(`${name}: http://localhost:${server.port}/`),
    (error) => {
      console.error(`${name} could not start: ${error.message}`);
      process.exitCode = 1;
    },
  );
  process.once('SIGINT', () => void server.close());
  process.once('SIGTERM', () => void server.close());
}

module.exports = { runAsMain };
