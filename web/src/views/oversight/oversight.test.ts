import { describe, expect, it } from 'vitest'
import { compactYuan, evidenceValue, layoutEvidence, monthLabel, nextActions, percent } from './oversight'

describe('layoutEvidence', () => {
  it('shows scalars as descriptions and arrays of objects as tables', () => {
    const l = layoutEvidence({
      account_no: '6228****1234',
      count: 2,
      payee: { name: '张三', deceased_on: '2026-01-02' },
      payments: [
        { id: 11, amount_fen: 120000, date: '2026-03-01' },
        { id: 12, amount_fen: 120000, date: '2026-03-01', note: '重复' },
      ],
      tags: ['a', 'b'],
    })
    expect(l.scalars).toEqual([
      { key: 'account_no', value: '6228****1234' },
      { key: 'count', value: 2 },
      { key: 'payee.name', value: '张三' },
      { key: 'payee.deceased_on', value: '2026-01-02' },
      { key: 'tags', value: 'a、b' },
    ])
    expect(l.tables).toHaveLength(1)
    expect(l.tables[0].key).toBe('payments')
    expect(l.tables[0].columns).toEqual(['id', 'amount_fen', 'date', 'note'])
    expect(l.tables[0].rows[0]).toEqual({ id: 11, amount_fen: 120000, date: '2026-03-01', note: null })
    expect(l.tables[0].rows[1].note).toBe('重复')
  })

  it('reads JSON text, a top-level array, and keeps text that is not JSON', () => {
    expect(layoutEvidence('[{"a":1},{"b":{"c":2}}]').tables[0]).toEqual({
      key: '',
      columns: ['a', 'b'],
      rows: [
        { a: 1, b: null },
        { a: null, b: '{"c":2}' },
      ],
    })
    expect(layoutEvidence('not json')).toEqual({ scalars: [{ key: '', value: 'not json' }], tables: [] })
    expect(layoutEvidence('')).toEqual({ scalars: [], tables: [] })
    expect(layoutEvidence(null)).toEqual({ scalars: [], tables: [] })
    // an empty array is a description, not an empty table
    expect(layoutEvidence({ rows: [] }).tables).toEqual([])
  })
})

describe('formatting', () => {
  it('shows money keys in yuan and booleans in words', () => {
    expect(evidenceValue('payments.amount_fen', 123456)).toBe('1,234.56')
    expect(evidenceValue('fen', 5)).toBe('0.05')
    expect(evidenceValue('fenced', 5)).toBe('5')
    expect(evidenceValue('x', true)).toBe('是')
    expect(evidenceValue('x', false, 'yes', 'no')).toBe('no')
    expect(evidenceValue('x', null)).toBe('—')
  })

  it('rates and compact amounts', () => {
    expect(percent(0.875)).toBe('87.5%')
    expect(percent(1)).toBe('100.0%')
    expect(percent(null)).toBe('—')
    expect(percent(NaN)).toBe('—')
    expect(compactYuan(12345600)).toBe('12.3万')
    expect(compactYuan(9900)).toBe('99')
    expect(compactYuan(3 * 1e10)).toBe('3.00亿')
  })

  it('labels months, naming the year at the start and in January', () => {
    expect(['2025-12', '2026-01', '2026-02'].map(monthLabel)).toEqual(['2025-12', '2026-01', '2月'])
  })

  it('offers the handling steps the status allows', () => {
    expect(nextActions('open')).toEqual(['assign', 'close'])
    expect(nextActions('assigned')).toEqual(['assign', 'verify', 'close'])
    expect(nextActions('verifying')).toEqual(['close'])
    expect(nextActions('closed')).toEqual([])
  })
})
