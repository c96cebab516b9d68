// The example apps (Express, Koa, Hono) behind a real lighttpd (mod_scgi), compared case by case with node:http.
import { defineInteropSuite } from './support/suite.js';

defineInteropSuite('lighttpd');
