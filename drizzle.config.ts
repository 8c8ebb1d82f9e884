import { defineConfig } from 'drizzle-kit'

/** drizzle-kit generates the committed SQL migrations from core/db/schema.ts. */
export default defineConfig({
  dialect: 'postgresql',
  schema: './core/db/schema.ts',
  out: './core/db/migrations',
})
