import { describe, expect, test } from 'bun:test'
import { fileURLToPath } from 'node:url'

// The formatter and linter (Biome, configured in biome.jsonc) hold every TypeScript file to one style:
// a file that is not formatted, or a lint error, fails here with Biome's own report of file and line.
const root = fileURLToPath(new URL('../..', import.meta.url))

describe('code style', () => {
  test('every TypeScript file is formatted and free of lint errors (npm run lint)', () => {
    const result = Bun.spawnSync(['node_modules/.bin/biome', 'ci', '.', '--colors=off', '--diagnostic-level=error', '--max-diagnostics=20'], { cwd: root })
    const report = `${result.stdout.toString()}${result.stderr.toString()}`
    expect(result.exitCode === 0 ? 'clean' : report).toBe('clean')
  }, 60_000)
})
