import { describe, expect, test } from 'bun:test'
import { readFileSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import { join } from 'node:path'
import { interpolate, nginxConfigPath, planGateways, postgresAccount, redisArguments, renderNginxConfig, type ComposeFile } from './compose-plan.ts'

const root = fileURLToPath(new URL('../../', import.meta.url))
const compose = Bun.YAML.parse(readFileSync(join(root, 'docker-compose.yml'), 'utf8')) as ComposeFile
const dockerfile = readFileSync(join(root, 'Dockerfile'), 'utf8')
const addresses = {
  postgres: { host: '127.0.0.1', port: 5001 },
  redis: { host: '127.0.0.1', port: 5002 },
  'gateway-1': { host: '127.0.0.1', port: 5003 },
  'gateway-2': { host: '127.0.0.1', port: 5004 },
}
const variables = { CRYPTO_SECRET: 'c'.repeat(32), SESSION_SECRET: 's'.repeat(32), ROOT_PASSWORD: 'root-password' }

describe('compose plan', () => {
  test("compose's substitution: defaults, required variables, literal dollars", () => {
    expect(interpolate('${A:-300}', {})).toBe('300')
    expect(interpolate('${A:-300}', { A: '' })).toBe('300')
    expect(interpolate('x${A}y$$', { A: '1' })).toBe('x1y$')
    expect(() => interpolate('${ROOT_PASSWORD:?set ROOT_PASSWORD}', {})).toThrow('ROOT_PASSWORD: set ROOT_PASSWORD')
  })

  test("each replica gets the image's ENV and compose's environment, service hosts made local", () => {
    const plans = planGateways({ compose, dockerfile, variables, addresses, dataDir: (name) => `/state/${name}` })
    expect(plans.map((plan) => plan.name)).toEqual(['gateway-1', 'gateway-2'])
    const env = plans[0]!.env
    for (const key of Object.keys(compose.services['gateway-1']!.environment!)) expect(env[key]).toBeDefined()
    expect(env.NODE_ENV).toBe('production')
    expect(env.DATABASE_URL).toBe('postgres://hanggent:hanggent@127.0.0.1:5001/hanggent')
    expect(env.REDIS_URL).toBe('redis://127.0.0.1:5002')
    expect(env.ROOT_PASSWORD).toBe('root-password')
    expect([env.PORT, env.HOST, env.DATA_DIR, env.TRUSTED_PROXIES]).toEqual(['5003', '127.0.0.1', '/state/gateway-1', '127.0.0.1'])
    expect(plans[1]!.env.PORT).toBe('5004')
    expect(plans[0]!.command).toEqual(['bun', 'core/main.ts'])
    expect(plans[0]!.healthcheck.join(' ')).toContain('/ready')
    expect(() => planGateways({ compose, dockerfile, variables: {}, addresses, dataDir: () => '/x' })).toThrow('CRYPTO_SECRET')
  })

  test('PostgreSQL account, Redis arguments and the nginx file come from compose', () => {
    expect(postgresAccount(compose, {})).toEqual({ user: 'hanggent', password: 'hanggent', database: 'hanggent' })
    expect(redisArguments(compose)).toContain('--appendonly')
    expect(nginxConfigPath(compose)).toBe('deploy/nginx.conf')
  })

  test('deploy/nginx.conf rendered for loopback: listen address and upstream servers, nothing else', () => {
    const text = readFileSync(join(root, 'deploy/nginx.conf'), 'utf8')
    const rendered = renderNginxConfig(text, { listen: '127.0.0.1:8080', addresses })
    expect(rendered).toContain('listen 127.0.0.1:8080;')
    expect(rendered).toContain('server 127.0.0.1:5003 max_fails=3')
    expect(rendered).toContain('server 127.0.0.1:5004 max_fails=3')
    expect(rendered).not.toContain('gateway-1')
    expect(rendered.split('\n').length).toBe(text.split('\n').length)
    expect(() => renderNginxConfig(text.replace('listen 80;', 'listen 8080;'), { listen: '127.0.0.1:1', addresses })).toThrow('expected one "listen 80;"')
    expect(() => renderNginxConfig(text, { listen: '127.0.0.1:1', addresses: {} })).toThrow('no upstream server')
  })
})
