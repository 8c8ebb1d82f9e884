// The real PGlite worker, plus two ways to die that tests can ask for by SQL text: `exit worker`
// ends the thread with code 7, `throw in worker` throws an error nothing catches.
import '../pglite-worker.ts'

declare const self: Worker

self.addEventListener('message', (event: MessageEvent<{ kind: string; sql?: string }>) => {
  if (event.data.sql === 'exit worker') process.exit(7)
  if (event.data.sql === 'throw in worker') throw new Error('worker blew up on purpose')
})
