// Command-line flags of the measuring scripts (`--name value`, repeated `--env NAME=value`).

/** The value after a `--name` flag, or the fallback. */
export function flag(name: string, fallback: string): string {
  const index = process.argv.indexOf(`--${name}`)
  return index >= 0 ? (process.argv[index + 1] ?? fallback) : fallback
}

/** Every `--env NAME=value`, as environment entries for a child process. */
export function envFlags(): Record<string, string> {
  const pairs = process.argv.flatMap((argument, index) => (argument === '--env' ? [process.argv[index + 1] ?? ''] : []))
  return Object.fromEntries(pairs.map((pair) => [pair.slice(0, pair.indexOf('=')), pair.slice(pair.indexOf('=') + 1)]))
}
