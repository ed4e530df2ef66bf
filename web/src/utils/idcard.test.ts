import { describe, expect, it } from 'vitest'
import { ageOn, checkChar, parseIdNumber } from './idcard'

// A valid number from its 17 digits.
const make = (first17: string) => first17 + checkChar(first17)

describe('checkChar', () => {
  it('computes ISO 7064 MOD 11-2 (the GB 11643 example)', () => {
    expect(checkChar('11010519491231002')).toBe('X')
    expect(checkChar('44052418800101001')).toBe('4')
  })
})

describe('parseIdNumber', () => {
  const today = '2026-03-01'
  it('derives birth date and sex', () => {
    expect(parseIdNumber('11010519491231002X', today)).toEqual({ ok: true, birth: '1949-12-31', sex: 'female' })
    const male = make('32092119800512001')
    expect(parseIdNumber(male.toLowerCase(), today)).toEqual({ ok: true, birth: '1980-05-12', sex: 'male' })
  })
  it('names the problem', () => {
    expect(parseIdNumber('1234', today)).toMatchObject({ ok: false, error: 'idcard.length', param: '4' })
    expect(parseIdNumber('32092119800512A011', today)).toMatchObject({ ok: false, error: 'idcard.chars' })
    expect(parseIdNumber(make('99092119800512001'), today)).toMatchObject({ ok: false, error: 'idcard.region' })
    expect(parseIdNumber(make('32092119800231001'), today)).toMatchObject({ ok: false, error: 'idcard.birth' })
    expect(parseIdNumber(make('32092120300101001'), today)).toMatchObject({ ok: false, error: 'idcard.birth' })
    const good = make('32092119800512001')
    const bad = good.slice(0, 17) + (good[17] === '0' ? '1' : '0')
    expect(parseIdNumber(bad, today)).toMatchObject({ ok: false, error: 'idcard.checksum', param: good[17] })
  })
})

describe('ageOn', () => {
  it('counts full years', () => {
    expect(ageOn('1980-05-12', '2026-05-11')).toBe(45)
    expect(ageOn('1980-05-12', '2026-05-12')).toBe(46)
    expect(Number.isNaN(ageOn('', '2026-01-01'))).toBe(true)
  })
})
