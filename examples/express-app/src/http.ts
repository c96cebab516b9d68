// Runs the same app on plain node:http (PORT, default 3000), to compare with what the SCGI worker serves.
import { createApp } from './app.js';
import { closeOnSignals, describeAddress } from './shutdown.js';

const port = Number(process.env.PORT ?? 3000);
const server = createApp().listen(port, () => {
  console.log(`express-app: HTTP server listening on http://${describeAddress(server.address())}/`);
});
closeOnSignals(server);
