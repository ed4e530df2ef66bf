import { describe, expect, it } from 'vitest'
import { ancestors, levelOf, regionPath } from './region'

describe('levelOf', () => {
  it('reads the level from the code', () => {
    expect(levelOf('320900000000')).toBe('city')
    expect(levelOf('320921000000')).toBe('county')
    expect(levelOf('320921100000')).toBe('town')
    expect(levelOf('320921100201')).toBe('village')
    expect(levelOf('x')).toBe('')
  })
})

describe('ancestors', () => {
  it('walks city → county → town → village', () => {
    expect(ancestors('320921101201')).toEqual(['320900000000', '320921000000', '320921101000', '320921101201'])
    expect(ancestors('320921101000')).toEqual(['320900000000', '320921000000', '320921101000'])
    expect(ancestors('320921000000')).toEqual(['320900000000', '320921000000'])
    expect(ancestors('320900000000')).toEqual(['320900000000'])
  })
})

describe('regionPath', () => {
  it('starts at the root', () => {
    expect(regionPath('320921101201', '320900000000')).toEqual(['320900000000', '320921000000', '320921101000', '320921101201'])
    expect(regionPath('320921101201', '320921000000')).toEqual(['320921000000', '320921101000', '320921101201'])
    expect(regionPath('320921000000', '320921000000')).toEqual(['320921000000'])
  })
  it('falls back to the code alone outside the root', () => {
    expect(regionPath('320922000000', '320921000000')).toEqual(['320922000000'])
    expect(regionPath('', '320900000000')).toEqual([])
  })
})
