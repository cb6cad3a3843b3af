// Starts the telegram-test-api emulator (pinned in package.json) for the e2e tests.
// Usage: node server.js [port]   (or E2E_PORT=...; port 0 = pick a free port)
// Prints "READY <port>" on stdout once listening; stops cleanly on SIGTERM/SIGINT.
'use strict';

const TelegramServer = require('telegram-test-api/lib/index.js');
const { routes } = require('telegram-test-api/lib/routes/index.js');
const extensions = require('./extensions.js');

// Inline queries, presses on inline-sent messages, photo and document uploads (see
// extensions.js): installed before the server is built, which registers the routes.
extensions.install(TelegramServer, routes);

const port = Number(process.argv[2] ?? process.env.E2E_PORT ?? 0);
// storeTimeout also purges unread messages, so keep it well above any test's duration.
const storeTimeout = Number(process.env.E2E_STORE_TIMEOUT ?? 600);

const server = new TelegramServer({ port, host: '127.0.0.1', storeTimeout });
// The package turns port 0 into its default 9000 (`port || 9000`); listen on 0 as asked.
server.config.port = port;

let stopping = false;
async function stop() {
  if (stopping) return;
  stopping = true;
  setTimeout(() => process.exit(0), 2000).unref(); // never hang on lingering connections
  await server.stop();
  process.exit(0);
}
process.on('SIGTERM', stop);
process.on('SIGINT', stop);

server.start().then(
  () => {
    process.stdout.write(`READY ${server.server.address().port}\n`);
  },
  (error) => {
    process.stderr.write(`emulator failed to start: ${error}\n`);
    process.exit(1);
  },
);
