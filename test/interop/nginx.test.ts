// The example apps (Express, Koa, Hono) behind a real nginx (scgi_pass), compared case by case with node:http.
import { defineInteropSuite } from './support/suite.js';

defineInteropSuite('nginx');
