import { describe, expect, it } from 'vitest'
import { changedKeys, parseJSONish } from './diff'

describe('changedKeys', () => {
  it('finds changed, added and removed keys', () => {
    const k = changedKeys({ a: 1, b: 'x', c: true, n: { p: 1, q: 2 } }, { a: 1, b: 'y', d: 0, n: { q: 2, p: 1 } })
    expect([...k].sort()).toEqual(['b', 'c', 'd'])
  })
  it('treats a missing side as empty', () => {
    expect([...changedKeys(null, { a: 1 })]).toEqual(['a'])
    expect([...changedKeys({ a: 1 }, undefined)]).toEqual(['a'])
  })
})

describe('parseJSONish', () => {
  it('parses strings that hold JSON and leaves the rest', () => {
    expect(parseJSONish('{"a":1}')).toEqual({ a: 1 })
    expect(parseJSONish({ a: 1 })).toEqual({ a: 1 })
    expect(parseJSONish('plain')).toBe('plain')
  })
})
