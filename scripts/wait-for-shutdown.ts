/** Resolves after SIGINT/SIGTERM has run `stop` once; a second Ctrl-C exits at once. */
export function waitForShutdown(stop: () => Promise<void>): Promise<void> {
  return new Promise((resolve) => {
    let stopping = false;
    const onSignal = () => {
      if (stopping) process.exit(130);
      stopping = true;
      process.stdout.write('\nstopping...\n');
      stop().then(resolve, (error: unknown) => {
        process.stderr.write(`error while stopping: ${String(error)}\n`);
        process.exitCode = 1;
        resolve();
      });
    };
    process.once('SIGINT', onSignal);
    process.once('SIGTERM', onSignal);
  });
}
