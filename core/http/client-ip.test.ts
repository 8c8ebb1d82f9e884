import { describe, expect, test } from 'bun:test'
import { clientIpOf } from './client-ip.ts'
import { loadConfig, ConfigError } from '../config.ts'

const from = (address: string) => ({ requestIP: () => ({ address }) })
const request = (forwardedFor?: string) => new Request('http://gateway/v1/models', { headers: forwardedFor ? { 'x-forwarded-for': forwardedFor } : {} })

describe('client address behind reverse proxies', () => {
  test('without TRUSTED_PROXIES the socket address is the client, whatever X-Forwarded-For says', () => {
    expect(clientIpOf(from('10.0.0.5'), request('1.2.3.4'), [])).toBe('10.0.0.5')
  })

  test('a trusted proxy hands over the nearest untrusted hop', () => {
    const trusted = ['10.0.0.0/8']
    expect(clientIpOf(from('10.0.0.5'), request('203.0.113.7'), trusted)).toBe('203.0.113.7')
    // Two proxies of ours in a row: skip both.
    expect(clientIpOf(from('10.0.0.5'), request('203.0.113.7, 10.0.0.9'), trusted)).toBe('203.0.113.7')
  })

  test('hops a client forged in front of the real one are not believed', () => {
    expect(clientIpOf(from('10.0.0.5'), request('6.6.6.6, 203.0.113.7'), ['10.0.0.0/8'])).toBe('203.0.113.7')
  })

  test('an untrusted socket is the client even when it sends X-Forwarded-For', () => {
    expect(clientIpOf(from('198.51.100.1'), request('203.0.113.7'), ['10.0.0.0/8'])).toBe('198.51.100.1')
  })

  test('garbage in X-Forwarded-For falls back to the socket address; IPv4-mapped sockets match IPv4 ranges', () => {
    expect(clientIpOf(from('10.0.0.5'), request('not-an-ip'), ['10.0.0.0/8'])).toBe('10.0.0.5')
    expect(clientIpOf(from('::ffff:10.0.0.5'), request('203.0.113.7'), ['10.0.0.0/8'])).toBe('203.0.113.7')
  })

  test('TRUSTED_PROXIES is validated at start-up', () => {
    expect(loadConfig({ TRUSTED_PROXIES: '10.0.0.0/8, 172.16.0.1' }).trustedProxies).toEqual(['10.0.0.0/8', '172.16.0.1'])
    expect(() => loadConfig({ TRUSTED_PROXIES: '10.0.0.0/8,proxy.local' })).toThrow(ConfigError)
    expect(() => loadConfig({ TRUSTED_PROXIES: 'proxy.local' })).toThrow('TRUSTED_PROXIES: "proxy.local" is not an IP address or CIDR range')
  })
})
