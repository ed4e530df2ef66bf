import { describe, expect, it } from 'vitest'
import { emptyHouseholdForm, inputOf, splitFieldErrors } from './form'

describe('household form', () => {
  it('converts yuan text to fen and tidies the fields', () => {
    const f = emptyHouseholdForm('320921001001')
    Object.assign(f, { household_no: ' H1 ', head_id_number: '11010519491231002x', account_no: '6228 0000 1111', causes: ['illness'] })
    f.income = { per_capita: '5,200.5', wage: '3000', production: '', property: '0.3', transfer: '2200.2' }
    const { input, bad } = inputOf(f)
    expect(bad).toEqual([])
    expect(input.household_no).toBe('H1')
    expect(input.head_id_number).toBe('11010519491231002X')
    expect(input.account_no).toBe('622800001111')
    expect(input.income).toMatchObject({ per_capita_fen: 520050, wage_fen: 300000, production_fen: 0, property_fen: 30, transfer_fen: 220020 })
    expect(input.guarantees).toEqual({ food: 'ok', education: 'ok', medical: 'ok', housing: 'ok', water: 'ok' })
  })
  it('names income parts that are not amounts', () => {
    const f = emptyHouseholdForm()
    f.income.wage = '12.345'
    f.income.transfer = 'x'
    expect(inputOf(f).bad).toEqual(['wage', 'transfer'])
  })
  it('puts server field errors on the household or the member row', () => {
    expect(
      splitFieldErrors({
        'household.phone': 'p',
        head_id_number: 'h',
        'income.year': 'y',
        'members[1].id_number': 'm1',
        'members.0.name': 'm0',
      }),
    ).toEqual({
      household: { phone: 'p', head_id_number: 'h', 'income.year': 'y' },
      members: { 1: { id_number: 'm1' }, 0: { name: 'm0' } },
      other: [],
    })
  })
})
