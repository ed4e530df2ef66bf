import { describe, expect, it } from 'vitest'
import { coveragePercent, emptyHelper, helperErrors, helperInputOf, normalizeHelper } from './duty'
import { checkChar } from './idcard'

const first17 = '32092119800101001'
const valid = first17 + checkChar(first17)

describe('coveragePercent', () => {
  it('rounds down to one decimal and never shows 100 early', () => {
    expect(coveragePercent(0, 0)).toBe('—')
    expect(coveragePercent(5, 10)).toBe('50.0')
    expect(coveragePercent(2, 3)).toBe('66.6')
    expect(coveragePercent(9999, 10000)).toBe('99.9')
    expect(coveragePercent(10, 10)).toBe('100.0')
    expect(coveragePercent(12, 10)).toBe('100.0')
  })
})

describe('helper form', () => {
  it('normalizes before sending', () => {
    const n = normalizeHelper({ ...emptyHelper(), id_number: ' ' + valid.toLowerCase() + ' ', name: ' 王立 ', phone: ' 13800000000 ' })
    expect(n.id_number).toBe(valid.toUpperCase())
    expect(n.name).toBe('王立')
    expect(n.phone).toBe('13800000000')
    expect(n.party_member).toBe(false)
  })

  it('checks name, ID number and phone', () => {
    const today = '2026-05-01'
    expect(helperErrors(emptyHelper(), today)).toEqual({ name: 'duty.err.name', id_number: 'duty.err.idRequired' })
    const bad = { ...emptyHelper(), name: '王立', id_number: first17 + (checkChar(first17) === '0' ? '1' : '0'), phone: 'abc' }
    expect(helperErrors(bad, today)).toEqual({ id_number: 'duty.err.idInvalid', phone: 'duty.err.phone' })
    expect(helperErrors({ ...emptyHelper(), name: '王立', id_number: valid, phone: '0515-86881234' }, today)).toEqual({})
  })

  it('takes a helper record back into the form', () => {
    const f = helperInputOf({ id: 1, region_code: '320921000000', active: true, id_number: valid, name: '王立', phone: '', employer: '县农业农村局', position: '科员', party_member: true })
    expect(f).toEqual({ id_number: valid, name: '王立', phone: '', employer: '县农业农村局', position: '科员', party_member: true })
  })
})
