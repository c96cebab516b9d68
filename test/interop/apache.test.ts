// The example apps (Express, Koa, Hono) behind a real Apache (mpm_event, mod_proxy_scgi), compared case by case with node:http.
import { defineInteropSuite } from './support/suite.js';

defineInteropSuite('apache');
