// koa-app as a module: the app factory, for a process manager or tests (the entry points are scgi.ts, http.ts).
export { type AppOptions, createApp } from './app.js';
