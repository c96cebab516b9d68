#!/usr/bin/env node
// `scgi-cgi`: the CGI bridge as a program a web server runs for each request (lighttpd mod_cgi, Apache mod_cgid).
import { runCgiProgram } from './program.js';

await runCgiProgram(process.argv.slice(2));
