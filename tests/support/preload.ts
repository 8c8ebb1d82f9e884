// Loaded before every test file (bunfig.toml). Keeps test output quiet unless asked otherwise, and gives
// each `bun test --parallel` worker its own PostgreSQL database and Redis database index, so suites
// that empty the shared test database (tests/support/context.ts) never reach into another worker's run.
import postgres from 'postgres'

process.env.LOG_LEVEL ??= 'error'

const worker = Number(process.env.BUN_TEST_WORKER_ID ?? '1')
if (worker > 1) {
  const { TEST_DATABASE_URL: databaseUrl, TEST_REDIS_URL: redisUrl } = process.env
  if (databaseUrl) {
    const url = new URL(databaseUrl)
    const name = `${url.pathname.slice(1)}_w${worker}`
    const admin = postgres(databaseUrl, { max: 1, onnotice: () => {} })
    try {
      const found = await admin`select 1 from pg_database where datname = ${name}`
      if (found.length === 0) await admin.unsafe(`create database "${name}"`)
    } finally {
      await admin.end()
    }
    url.pathname = `/${name}`
    process.env.TEST_DATABASE_URL = url.toString()
  }
  if (redisUrl) {
    // Redis has 16 numbered databases (0–15) unless configured otherwise: one per worker.
    if (worker > 16) throw new Error(`bun test --parallel=${worker}+: at most 16 workers, one Redis database each`)
    const url = new URL(redisUrl)
    url.pathname = `/${worker - 1}`
    process.env.TEST_REDIS_URL = url.toString()
  }
}
