// Form state of a household and a member: amounts as the yuan text people type,
// converted to the API's fen on submit.
import type { HouseholdInput, HouseholdRecord, Member, MemberInput } from '../../api'
import { fenToYuanInput, parseYuan } from '../../utils/money'

export const incomeParts = ['per_capita', 'wage', 'production', 'property', 'transfer'] as const
export type IncomePart = (typeof incomeParts)[number]

export interface HouseholdForm {
  household_no: string
  region_code: string
  group_name: string
  head_name: string
  head_id_number: string
  address: string
  phone: string
  household_type: string
  causes: string[]
  bank: string
  account_no: string
  income_year: number | null
  income: Record<IncomePart, string>
  guarantees: Record<string, string>
}

export function emptyHouseholdForm(region = ''): HouseholdForm {
  return {
    household_no: '',
    region_code: region,
    group_name: '',
    head_name: '',
    head_id_number: '',
    address: '',
    phone: '',
    household_type: 'general',
    causes: [],
    bank: '',
    account_no: '',
    income_year: new Date().getFullYear() - 1,
    income: { per_capita: '', wage: '', production: '', property: '', transfer: '' },
    guarantees: { food: 'ok', education: 'ok', medical: 'ok', housing: 'ok', water: 'ok' },
  }
}

export function formOf(h: HouseholdRecord): HouseholdForm {
  const inc = h.income
  return {
    household_no: h.household_no,
    region_code: h.region_code,
    group_name: h.group_name ?? '',
    head_name: h.head_name ?? '',
    head_id_number: h.head_id_number ?? '',
    address: h.address ?? '',
    phone: h.phone ?? '',
    household_type: h.household_type,
    causes: [...(h.causes ?? [])],
    bank: h.bank ?? '',
    account_no: h.account_no ?? '',
    income_year: inc?.year || null,
    income: {
      per_capita: fenToYuanInput(inc?.per_capita_fen),
      wage: fenToYuanInput(inc?.wage_fen),
      production: fenToYuanInput(inc?.production_fen),
      property: fenToYuanInput(inc?.property_fen),
      transfer: fenToYuanInput(inc?.transfer_fen),
    },
    guarantees: { ...h.guarantees },
  }
}

// inputOf converts the form; bad lists the income parts that are not amounts.
export function inputOf(f: HouseholdForm): { input: HouseholdInput; bad: IncomePart[] } {
  const bad: IncomePart[] = []
  const fen = (k: IncomePart) => {
    const v = f.income[k]
    if (v.trim() === '') return 0
    const n = parseYuan(v)
    if (n === null) {
      bad.push(k)
      return 0
    }
    return n
  }
  const input: HouseholdInput = {
    household_no: f.household_no.trim(),
    region_code: f.region_code,
    group_name: f.group_name.trim(),
    head_name: f.head_name.trim(),
    head_id_number: f.head_id_number.trim().toUpperCase(),
    address: f.address.trim(),
    phone: f.phone.trim(),
    household_type: f.household_type,
    causes: [...f.causes],
    bank: f.bank.trim(),
    account_no: f.account_no.replace(/\s/g, ''),
    income: {
      year: f.income_year ?? 0,
      per_capita_fen: fen('per_capita'),
      wage_fen: fen('wage'),
      production_fen: fen('production'),
      property_fen: fen('property'),
      transfer_fen: fen('transfer'),
    },
    guarantees: {
      food: f.guarantees.food,
      education: f.guarantees.education,
      medical: f.guarantees.medical,
      housing: f.guarantees.housing,
      water: f.guarantees.water,
    },
  }
  return { input, bad }
}

export function emptyMember(relation = 'spouse'): MemberInput {
  return {
    id_number: '',
    name: '',
    relation,
    health: 'healthy',
    disability_grade: 0,
    labour: 'full',
    in_school: false,
    medical_insurance: true,
    deceased_on: '',
  }
}

export function memberInputOf(m: Member): MemberInput {
  return {
    id_number: m.id_number,
    name: m.name,
    relation: m.relation,
    health: m.health,
    disability_grade: m.disability_grade ?? 0,
    labour: m.labour,
    in_school: !!m.in_school,
    medical_insurance: !!m.medical_insurance,
    deceased_on: m.deceased_on ?? '',
  }
}

// Server field errors for a household form: "household.phone" and "phone" both land on
// phone; "members[1].id_number" / "members.1.id_number" on member row 1.
export function splitFieldErrors(fields: Record<string, string>): {
  household: Record<string, string>
  members: Record<number, Record<string, string>>
  other: string[]
} {
  const household: Record<string, string> = {}
  const members: Record<number, Record<string, string>> = {}
  const other: string[] = []
  for (const [k0, v] of Object.entries(fields ?? {})) {
    const k = k0.replace(/^household\./, '')
    const m = /^members(?:\[(\d+)\]|\.(\d+))\.?(.*)$/.exec(k)
    if (m) {
      const i = Number(m[1] ?? m[2])
      ;(members[i] ??= {})[m[3] || 'row'] = v
      continue
    }
    if (k) household[k] = v
    else other.push(v)
  }
  return { household, members, other }
}
