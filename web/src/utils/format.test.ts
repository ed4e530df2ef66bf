import { describe, expect, it } from 'vitest'
import { formatCount, formatDate, formatDateTime, formatYuan } from './format'

describe('formatYuan', () => {
  it.each([
    [0, '0.00'],
    [1, '0.01'],
    [10, '0.10'],
    [100, '1.00'],
    [123456, '1,234.56'],
    [200000000, '2,000,000.00'],
    [-5, '-0.05'],
    [-123456789, '-1,234,567.89'],
    [900719925474099, '9,007,199,254,740.99'],
  ])('%d fen is %s yuan', (fen, want) => {
    expect(formatYuan(fen)).toBe(want)
  })
  it('can leave out grouping', () => {
    expect(formatYuan(123456, false)).toBe('1234.56')
  })
  it('shows a dash for missing values', () => {
    expect(formatYuan(null)).toBe('—')
    expect(formatYuan(undefined)).toBe('—')
    expect(formatYuan(Number.NaN)).toBe('—')
  })
})

describe('formatDateTime', () => {
  it('shows UTC times in Asia/Shanghai (UTC+8)', () => {
    expect(formatDateTime('2026-01-31T16:30:05Z')).toBe('2026-02-01 00:30:05')
    expect(formatDateTime('2026-06-01T00:00:00Z')).toBe('2026-06-01 08:00:00')
    expect(formatDateTime('2026-06-01T08:00:00+08:00')).toBe('2026-06-01 08:00:00')
  })
  it('can leave out seconds', () => {
    expect(formatDateTime('2026-01-31T16:30:05Z', false)).toBe('2026-02-01 00:30')
  })
  it('midnight is 00, not 24', () => {
    expect(formatDateTime('2025-12-31T16:00:00Z')).toBe('2026-01-01 00:00:00')
  })
  it('gives the Shanghai calendar date', () => {
    expect(formatDate('2026-03-01T15:59:59Z')).toBe('2026-03-01')
    expect(formatDate('2026-03-01T16:00:00Z')).toBe('2026-03-02')
  })
  it('handles missing and bad values', () => {
    expect(formatDateTime(null)).toBe('—')
    expect(formatDateTime('')).toBe('—')
    expect(formatDateTime('not a date')).toBe('not a date')
  })
})

describe('formatCount', () => {
  it('groups thousands', () => {
    expect(formatCount(1234567)).toBe('1,234,567')
    expect(formatCount(0)).toBe('0')
  })
})
