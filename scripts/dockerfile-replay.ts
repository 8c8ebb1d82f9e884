// Reads a Dockerfile into stages and instructions, and decides which files of a build context it
// copies (.dockerignore). Pure parsing for scripts/measure-image.ts, which replays the steps on this
// machine where no Docker engine runs. Only what this project's Dockerfile uses is understood:
// FROM … AS, WORKDIR, COPY [--from=stage] [--chown=…] sources… destination, RUN (shell form), ENV,
// and instructions that only describe the image (USER, EXPOSE, VOLUME, HEALTHCHECK, CMD).

/** One instruction, continuation lines joined. */
export interface Instruction {
  /** Upper-case keyword, e.g. `RUN`. */
  keyword: string
  /** Everything after the keyword. */
  text: string
  /** 1-based line where it starts, for error messages. */
  line: number
}

/** A build stage: its base image, name and instructions in order. */
export interface Stage {
  /** The `FROM` image. */
  image: string
  /** The `AS` name, or the stage's index as text. */
  name: string
  instructions: Instruction[]
}

/** A COPY instruction taken apart. */
export interface CopyStep {
  /** The stage files come from, or undefined for the build context. */
  from?: string
  sources: string[]
  destination: string
}

/** Splits a Dockerfile into stages; comments and blank lines are dropped, `\` continuations joined. */
export function parseDockerfile(source: string): Stage[] {
  const stages: Stage[] = []
  const lines = source.split('\n')
  for (let index = 0; index < lines.length; index++) {
    const start = index
    let text = lines[index]!.trim()
    if (text === '' || text.startsWith('#')) continue
    while (text.endsWith('\\') && index + 1 < lines.length) {
      index++
      const next = lines[index]!.trim()
      if (next.startsWith('#')) continue
      text = `${text.slice(0, -1).trimEnd()} ${next}`
    }
    const match = /^(\S+)\s*(.*)$/.exec(text)!
    const instruction: Instruction = { keyword: match[1]!.toUpperCase(), text: match[2]!.trim(), line: start + 1 }
    if (instruction.keyword === 'FROM') {
      const from = /^(\S+)(?:\s+AS\s+(\S+))?$/i.exec(instruction.text)
      if (!from) throw new Error(`Dockerfile line ${instruction.line}: cannot read FROM ${instruction.text}`)
      stages.push({ image: from[1]!, name: from[2] ?? String(stages.length), instructions: [] })
    } else {
      const stage = stages.at(-1)
      if (!stage) throw new Error(`Dockerfile line ${instruction.line}: ${instruction.keyword} before any FROM`)
      stage.instructions.push(instruction)
    }
  }
  return stages
}

/** `COPY --from=build /app/core ./core` → `{ from: 'build', sources: ['/app/core'], destination: './core' }`. */
export function parseCopy(text: string): CopyStep {
  const words = text.split(/\s+/).filter(Boolean)
  let from: string | undefined
  const rest: string[] = []
  for (const word of words) {
    if (word.startsWith('--from=')) from = word.slice('--from='.length)
    else if (!word.startsWith('--')) rest.push(word)
  }
  if (rest.length < 2) throw new Error(`COPY needs a source and a destination: ${text}`)
  return { from, sources: rest.slice(0, -1), destination: rest.at(-1)! }
}

/** `KEY=value KEY2=value2` (the only ENV form used here) as a map. */
export function parseEnv(text: string): Record<string, string> {
  return Object.fromEntries(
    text
      .split(/\s+/)
      .filter(Boolean)
      .map((pair) => {
        const equals = pair.indexOf('=')
        if (equals <= 0) throw new Error(`ENV wants KEY=value pairs: ${text}`)
        return [pair.slice(0, equals), pair.slice(equals + 1)]
      }),
  )
}

/** The patterns of a .dockerignore, comments and blanks dropped, leading `./` and `/` removed. */
export function parseDockerignore(source: string): string[] {
  return source
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line !== '' && !line.startsWith('#'))
    .map((line) => line.replace(/^\.?\/+/, '').replace(/\/+$/, ''))
}

/**
 * True when a context path (relative, `/`-separated) is left out of the context: the path or one of
 * its parent folders matches a pattern (`*` stays within one path segment, as in Docker). Negated
 * patterns (`!…`) are not used by this project and are refused.
 */
export function isIgnored(relativePath: string, patterns: readonly string[]): boolean {
  const segments = relativePath.split('/')
  return patterns.some((pattern) => {
    if (pattern.startsWith('!')) throw new Error(`.dockerignore exceptions (${pattern}) are not supported by the replay`)
    const glob = new Bun.Glob(pattern)
    return segments.some((_, index) => glob.match(segments.slice(0, index + 1).join('/')))
  })
}
