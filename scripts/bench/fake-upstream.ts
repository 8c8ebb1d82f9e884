// Serves the fake OpenAI upstream for the benchmark in its own process, so load generation,
// gateway and upstream do not share one event loop.
import { startFakeOpenAI } from '../../tests/support/fake-openai.ts'

const fake = await startFakeOpenAI()
console.log(`listening ${fake.url}`)
process.on('SIGTERM', () => {
  void fake.stop().then(() => process.exit(0))
})
