// Waiting for what another connection or replica makes true (a Redis message delivered, a lease taken
// over): tests poll for it instead of sleeping a guessed time, and fail with a clear message when it
// never comes.

/** Polls `condition` every 10 ms until it holds, failing after `timeoutMs`. */
export async function waitFor(condition: () => boolean, timeoutMs = 2000): Promise<void> {
  const deadline = Date.now() + timeoutMs
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`condition not met within ${timeoutMs} ms`)
    await Bun.sleep(10)
  }
}
