import { describe, expect, test } from 'bun:test'
import { isIgnored, parseCopy, parseDockerfile, parseDockerignore, parseEnv } from './dockerfile-replay.ts'

describe('dockerfile-replay', () => {
  test('stages, joined continuation lines and comments between them', () => {
    const stages = parseDockerfile(
      [
        '# comment',
        'FROM node:22.22.0-bookworm-slim AS build',
        'WORKDIR /app',
        'RUN npm ci \\',
        '  # a comment inside a continued RUN',
        ' && npm prune --omit=dev',
        'FROM debian:bookworm-slim',
        'COPY --from=build /app/node_modules ./node_modules',
      ].join('\n'),
    )
    expect(stages.map((stage) => [stage.image, stage.name])).toEqual([
      ['node:22.22.0-bookworm-slim', 'build'],
      ['debian:bookworm-slim', '1'],
    ])
    expect(stages[0]!.instructions[1]).toEqual({ keyword: 'RUN', text: 'npm ci && npm prune --omit=dev', line: 4 })
    expect(() => parseDockerfile('RUN true')).toThrow('before any FROM')
  })

  test('COPY and ENV', () => {
    expect(parseCopy('--from=build --chown=1:1 /app/a /app/b ./')).toEqual({ from: 'build', sources: ['/app/a', '/app/b'], destination: './' })
    expect(parseCopy('. .')).toEqual({ from: undefined, sources: ['.'], destination: '.' })
    expect(parseEnv('NODE_ENV=production PORT=3000')).toEqual({ NODE_ENV: 'production', PORT: '3000' })
  })

  test('.dockerignore: a folder drops its contents, * stays in one segment', () => {
    const patterns = parseDockerignore('node_modules\n# c\n/data/\n*.log\nadmin/dist\n')
    expect(patterns).toEqual(['node_modules', 'data', '*.log', 'admin/dist'])
    expect(isIgnored('node_modules/vite/package.json', patterns)).toBe(true)
    expect(isIgnored('admin/dist/index.html', patterns)).toBe(true)
    expect(isIgnored('admin/src/main.ts', patterns)).toBe(false)
    expect(isIgnored('server.log', patterns)).toBe(true)
    expect(isIgnored('logs/server.log', patterns)).toBe(false)
    expect(() => isIgnored('a', ['!a'])).toThrow('not supported')
  })
})
