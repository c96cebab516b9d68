// The example's library entry: the app factory (src/scgi.ts and src/http.ts are the runnable entries).
export { type AppOptions, createApp } from './app.js';
