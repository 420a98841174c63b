// Preloaded (node --require) into a process started with --cpu-prof: V8 writes the profile only on a normal exit,
// and Nest's shutdown hooks end the process by re-raising SIGTERM. SIGUSR2 exits normally instead.
process.once('SIGUSR2', () => process.exit(0));
