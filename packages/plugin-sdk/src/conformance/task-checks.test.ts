import { describe, expect, test } from 'bun:test'
import { Type } from '@sinclair/typebox'
import type { GatewayError } from '../errors.ts'
import type { PluginDefinition } from '../contract.ts'
import type { TaskPlatform } from '../task-contract.ts'
import { taskPlatformFailures } from './task-checks.ts'

// The kit's task platform checks: a sound platform passes; each broken promise is named.

const sound: TaskPlatform = {
  id: 'music',
  label: 'Music',
  channelTypes: ['music'],
  routes: [
    { kind: 'submit', method: 'POST', path: '/music/submit', readSubmission: (body) => ({ action: 'SONG', model: 'music_song', body }) },
    { kind: 'fetch', method: 'GET', path: '/music/task/:id', render: (task) => task },
  ],
  prices: { music_song: { perCall: 0.1 }, 'video-*': { perSecond: 0.1, defaultSeconds: 4, byResolution: { '1080p': { perSecond: 0.5 } } } },
  buildSubmit: () => ({ url: 'http://upstream/submit', method: 'POST', headers: {} }),
  readSubmitReply: () => ({ accepted: true, upstreamTaskId: 'u1' }),
  renderSubmitted: (task) => task.id,
  polling: { batchSize: 10, buildRequest: () => ({ url: 'http://upstream/fetch', method: 'GET', headers: {} }), readReply: () => [] },
  renderError: (error: GatewayError) => ({ status: error.status, body: { message: error.message } }),
}

const plugin = (tasks: TaskPlatform[]): PluginDefinition => ({
  id: 'example',
  specVersion: '1.2',
  name: 'Example',
  channelTypes: [
    {
      id: 'music',
      label: 'Music',
      settings: Type.Object({}),
      transport: { nativeDialects: [], buildRequest: () => ({ url: '', method: 'GET', headers: {} }) },
    },
  ],
  models: [],
  pricing: {},
  dialects: [],
  tasks,
})

describe('conformance kit: task platforms', () => {
  test('a sound platform passes, and a plugin without tasks has nothing to check', () => {
    expect(taskPlatformFailures(plugin([sound]))).toEqual([])
    expect(taskPlatformFailures(plugin([]))).toEqual([])
  })

  test('duplicate routes, reads without :id, missing submit, bad prices, a changed error status and bad batch sizes are named', () => {
    const broken: TaskPlatform = {
      ...sound,
      id: 'Music!',
      channelTypes: [],
      routes: [
        { kind: 'fetch', method: 'GET', path: '/music/task', render: (task) => task },
        { kind: 'fetch', method: 'GET', path: '/music/task', render: (task) => task },
      ],
      prices: { free: {}, negative: { perCall: -1 }, odd: { perSecond: 0.1, byMode: { fast: { perSecond: Number.NaN } }, defaultSeconds: 0 } },
      polling: { ...sound.polling, batchSize: 0 },
      renderError: () => ({ status: 200, body: {} }),
    }
    const failures = taskPlatformFailures(plugin([broken]))
    for (const part of [
      'id must be a short lowercase word',
      'serves no channel types',
      'declares no submit route',
      'route GET /music/task is declared twice',
      'has no :id parameter',
      'prices["free"] sets no price',
      'prices["negative"].perCall must be a finite number',
      'prices["odd"].byMode["fast"].perSecond',
      'prices["odd"].defaultSeconds must be a number > 0',
      'a 400 became 200',
      'a 404 became 200',
      'batchSize must be a whole number',
    ])
      expect(failures.some((failure) => failure.includes(part))).toBe(true)
  })
})
