// Preloaded (`--import`) into a worker run under --cpu-prof: SIGTERM would end it before V8 writes the
// profile, so it exits the normal way instead.
process.on('SIGTERM', () => process.exit(0));
