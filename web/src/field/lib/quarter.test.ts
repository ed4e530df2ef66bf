import { describe, expect, it } from 'vitest'
import { fromShanghaiInput, quarterOf, toShanghaiInput } from './quarter'

describe('quarters in Asia/Shanghai', () => {
  it('counts a visit by the Shanghai calendar, not UTC', () => {
    // 2026-09-30 16:30 UTC is 2026-10-01 00:30 in Shanghai: Q4.
    expect(quarterOf('2026-09-30T16:30:00Z')).toBe('2026Q4')
    expect(quarterOf('2026-09-30T15:59:59Z')).toBe('2026Q3')
    // New Year in Shanghai comes 8 hours before UTC's.
    expect(quarterOf('2025-12-31T16:00:00Z')).toBe('2026Q1')
    expect(quarterOf('2025-12-31T15:59:59Z')).toBe('2025Q4')
    expect(quarterOf('2026-04-01T00:00:00+08:00')).toBe('2026Q2')
    expect(quarterOf('2026-06-30T23:59:59+08:00')).toBe('2026Q2')
    expect(quarterOf('2026-07-01T00:00:00+08:00')).toBe('2026Q3')
    // Any offset on the wire: 2026-03-31 20:00 in New York is 04-01 08:00 in Shanghai.
    expect(quarterOf('2026-03-31T20:00:00-04:00')).toBe('2026Q2')
    expect(quarterOf('nonsense')).toBe('')
  })

  it('edits the visit time as Shanghai wall-clock time', () => {
    expect(toShanghaiInput('2026-11-20T02:30:00Z')).toBe('2026-11-20T10:30')
    expect(toShanghaiInput('2026-11-20T20:05:00Z')).toBe('2026-11-21T04:05')
    expect(fromShanghaiInput('2026-11-20T10:30')?.toISOString()).toBe('2026-11-20T02:30:00.000Z')
    expect(fromShanghaiInput('2026-01-01T03:00:15')?.toISOString()).toBe('2025-12-31T19:00:15.000Z')
    for (const bad of ['', '2026-02-30T10:00', '2026-13-01T10:00', '2026-11-20 10:30', '2026-11-20T24:00', 'x']) {
      expect(fromShanghaiInput(bad), bad).toBeNull()
    }
    const now = new Date('2026-11-24T08:07:00Z')
    expect(fromShanghaiInput(toShanghaiInput(now))?.getTime()).toBe(now.getTime())
  })
})
