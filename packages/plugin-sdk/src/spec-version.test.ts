import { describe, expect, test } from 'bun:test'
import { acceptedSpecVersions, parseSpecVersion, PLUGIN_SPEC_VERSION, specVersionProblem } from './spec-version.ts'

describe('contract versions', () => {
  test('"major.minor" and a bare major are read; anything else is not a version', () => {
    expect(parseSpecVersion('1.2')).toEqual({ major: 1, minor: 2 })
    expect(parseSpecVersion(1)).toEqual({ major: 1, minor: 0 })
    for (const bad of ['1', '1.2.3', 'v1.0', '01.0', 1.1, -1, undefined, null]) expect(parseSpecVersion(bad)).toBeUndefined()
  })

  test('a host accepts its own major with a minor up to its own, and names what it accepts otherwise', () => {
    expect(acceptedSpecVersions('1.3')).toBe('1.0 to 1.3')
    expect(acceptedSpecVersions('2.0')).toBe('2.0')
    for (const accepted of ['1.0', '1.3', 1]) expect(specVersionProblem(accepted, '1.3')).toBeUndefined()
    expect(specVersionProblem('1.4', '1.3')).toBe(
      'specVersion "1.4" is not supported: this gateway accepts contract versions 1.0 to 1.3 (plugin SDK 1.3); the plugin may use additions this gateway lacks (upgrade the gateway)',
    )
    expect(specVersionProblem(2, '1.3')).toBe(
      'specVersion 2 is not supported: this gateway accepts contract versions 1.0 to 1.3 (plugin SDK 1.3); contract 2.x is another major version (upgrade the gateway)',
    )
    expect(specVersionProblem('1.0', '2.1')).toBe(
      'specVersion "1.0" is not supported: this gateway accepts contract versions 2.0 to 2.1 (plugin SDK 2.1); contract 1.x is another major version (rebuild the plugin against plugin SDK 2.x)',
    )
    expect(specVersionProblem(1.5, '1.3')).toBe(
      'specVersion 1.5 is not supported: write the contract version as "major.minor" (e.g. "1.3"); this gateway accepts contract versions 1.0 to 1.3 (plugin SDK 1.3)',
    )
  })

  test("the SDK's own version is accepted by the SDK", () => {
    expect(specVersionProblem(PLUGIN_SPEC_VERSION)).toBeUndefined()
  })
})
