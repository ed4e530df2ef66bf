import { describe, expect, it } from 'vitest'
import {
  amountError,
  emptyFund,
  formatRate,
  fundErrors,
  idleLevel,
  kindTag,
  normalizeFund,
  ratio,
  sankeyData,
  scoreLevel,
  statementTotal,
  validPeriod,
  yearShanghai,
} from './funds'
import type { TraceNode } from '../api/funds'

const node = (key: string, kind = 'finance', name = key): TraceNode => ({ key, name, kind, region_code: '', balance_fen: 0, idle_days: 0, accounts: 1 })

describe('formatRate', () => {
  it('shows a 0..1 rate as a percentage', () => {
    expect(formatRate(0)).toBe('0.0%')
    expect(formatRate(1)).toBe('100.0%')
    expect(formatRate(0.7345)).toBe('73.5%')
    expect(formatRate(0.12345, 2)).toBe('12.35%')
    expect(formatRate(1.25)).toBe('125.0%')
    expect(formatRate(null)).toBe('—')
    expect(formatRate(NaN)).toBe('—')
  })
  it('ratio is 0 for an empty whole', () => {
    expect(ratio(5, 0)).toBe(0)
    expect(ratio(1, 4)).toBe(0.25)
  })
})

describe('validPeriod', () => {
  it('takes a year or a month from 2000', () => {
    for (const ok of ['2026', '2026-01', '2026-12', '2000']) expect(validPeriod(ok), ok).toBe(true)
    for (const bad of ['', '1999', '2026-13', '2026-00', '2026-1', '26-01', '2026/01', '2026-01-01']) expect(validPeriod(bad), bad).toBe(false)
  })
})

describe('fund form', () => {
  const ok = () => {
    const f = emptyFund(2026, '320921000000', '2026-03-02')
    f.code = 'F1'
    f.name = '衔接资金'
    f.amount_yuan = '1,200,000'
    f.items = [{ code: 'A', name: '教育资助', basis: 'person', standard_yuan: '1500.5' }]
    return f
  }
  it('accepts a complete fund', () => {
    expect(fundErrors(ok())).toEqual({})
  })
  it('names the field of a bad amount like the server does', () => {
    const f = ok()
    f.amount_yuan = '1.234'
    f.items[0].standard_yuan = '0'
    f.items.push({ code: 'A', name: '', basis: 'household', standard_yuan: '' })
    expect(fundErrors(f)).toEqual({
      amount_yuan: 'funds.err.amountFormat',
      'items[0].standard_yuan': 'funds.err.amountPositive',
      'items[1].code': 'funds.err.duplicateCode',
      'items[1].name': 'funds.err.required',
      'items[1].standard_yuan': 'funds.err.amountRequired',
    })
  })
  it('wants a deadline on or after the receipt', () => {
    const f = ok()
    f.deadline = '2026-03-01'
    expect(fundErrors(f).deadline).toBe('funds.err.deadlineBefore')
    f.deadline = '2026-02-30x'
    expect(fundErrors(f).deadline).toBe('funds.err.date')
  })
  it('amountError', () => {
    expect(amountError('12.3')).toBe('')
    expect(amountError('  ')).toBe('funds.err.amountRequired')
    expect(amountError('-1')).toBe('funds.err.amountPositive')
    expect(amountError('abc')).toBe('funds.err.amountFormat')
  })
  it('normalizes amounts and text for the API', () => {
    const f = ok()
    f.code = ' F1 '
    f.amount_yuan = '¥1,200,000.50'
    const n = normalizeFund(f)
    expect(n.code).toBe('F1')
    expect(n.amount_yuan).toBe('1200000.50')
    expect(n.items[0].standard_yuan).toBe('1500.5')
  })
})

describe('sankeyData', () => {
  it('keys nodes by key, drops empty and dangling links and untouched nodes', () => {
    const d = sankeyData({
      nodes: [node('a:1', 'source', '资金来源'), node('a:2', 'finance', '县财政'), node('a:3', 'village', '村'), node('a:9', 'village', '村'), node('pb:1', 'passbook', '镇 农户一折通')],
      links: [
        { source: 'a:1', target: 'a:2', amount_fen: 100, count: 1 },
        { source: 'a:2', target: 'a:3', amount_fen: 0, count: 2 },
        { source: 'a:2', target: 'pb:1', amount_fen: 60, count: 3 },
        { source: 'a:2', target: 'a:2', amount_fen: 5, count: 1 },
        { source: 'a:2', target: 'gone', amount_fen: 5, count: 1 },
      ],
    })
    expect(d.links).toEqual([
      { source: 'a:1', target: 'a:2', value: 100, count: 1 },
      { source: 'a:2', target: 'pb:1', value: 60, count: 3 },
    ])
    expect(d.nodes.map((n) => n.name)).toEqual(['a:1', 'a:2', 'pb:1'])
    expect(d.nodes[2].label).toBe('镇 农户一折通')
  })
  it('keeps the source alone when nothing moved', () => {
    expect(sankeyData({ nodes: [node('a:1', 'source')], links: null }).nodes).toHaveLength(1)
    expect(sankeyData({ nodes: null, links: null })).toEqual({ nodes: [], links: [] })
  })
})

describe('levels and tags', () => {
  it('idleLevel', () => {
    expect(idleLevel(0)).toBe('')
    expect(idleLevel(29)).toBe('')
    expect(idleLevel(30)).toBe('notice')
    expect(idleLevel(90)).toBe('warning')
    expect(idleLevel(180)).toBe('danger')
  })
  it('kindTag and scoreLevel', () => {
    expect(kindTag('reversal')).toBe('danger')
    expect(kindTag('payment')).toBe('success')
    expect(kindTag('whatever')).toBe('info')
    expect(scoreLevel(85)).toBe('good')
    expect(scoreLevel(84.9)).toBe('fair')
    expect(scoreLevel(59)).toBe('poor')
  })
  it('statementTotal leaves out reversed entries', () => {
    expect(statementTotal([{ amount_fen: 100, reversed: false }, { amount_fen: 50, reversed: true }, { amount_fen: 1, reversed: false }])).toBe(101)
  })
  it('yearShanghai turns over at Shanghai midnight', () => {
    expect(yearShanghai(new Date('2026-12-31T15:59:59Z'))).toBe(2026)
    expect(yearShanghai(new Date('2026-12-31T16:00:00Z'))).toBe(2027)
  })
})
