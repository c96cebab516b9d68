// The compared apps as a module for the process manager (`scgi-node serve pool-apps.mjs --export NAME`):
// exported, not listening, as its README tells users to write them.
import { expressApp, honoApp, koaApp, rawListener } from './apps.mjs';

export const raw = rawListener;
export const express = expressApp();
export const koa = koaApp();
export const hono = honoApp();
