import { describe, expect, it } from 'vitest'
import { fenToYuanInput, parseYuan } from './money'
import { formatYuan } from './format'

describe('parseYuan', () => {
  it('reads whole yuan, one and two decimals exactly', () => {
    expect(parseYuan('1234')).toBe(123400)
    expect(parseYuan('1234.5')).toBe(123450)
    expect(parseYuan('0.1')).toBe(10)
    expect(parseYuan('0.29')).toBe(29)
    expect(parseYuan('.5')).toBe(50)
    expect(parseYuan('6000.')).toBe(600000)
    expect(parseYuan(6000)).toBe(600000)
  })
  it('accepts grouping, currency signs, spaces and signs', () => {
    expect(parseYuan('1,234.56')).toBe(123456)
    expect(parseYuan('￥ 12.30')).toBe(1230)
    expect(parseYuan('¥8')).toBe(800)
    expect(parseYuan('-3.05')).toBe(-305)
    expect(parseYuan('+7')).toBe(700)
    expect(parseYuan('-0')).toBe(0)
  })
  it('is null for empty or invalid input, never rounding', () => {
    expect(parseYuan('')).toBeNull()
    expect(parseYuan('  ')).toBeNull()
    expect(parseYuan(null)).toBeNull()
    expect(parseYuan(undefined)).toBeNull()
    expect(parseYuan('1.234')).toBeNull()
    expect(parseYuan('abc')).toBeNull()
    expect(parseYuan('1e3')).toBeNull()
    expect(parseYuan('.')).toBeNull()
    expect(parseYuan('1.2.3')).toBeNull()
  })
  it('round-trips with fenToYuanInput and formatYuan', () => {
    for (const fen of [0, 1, 10, 99, 100, 123456, 987654321, -305]) {
      expect(parseYuan(fenToYuanInput(fen))).toBe(fen)
      expect(parseYuan(formatYuan(fen))).toBe(fen)
    }
    expect(fenToYuanInput(123450)).toBe('1234.50')
    expect(fenToYuanInput(null)).toBe('')
    expect(fenToYuanInput(-5)).toBe('-0.05')
  })
})
