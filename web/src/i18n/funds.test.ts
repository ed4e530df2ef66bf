import { describe, expect, it } from 'vitest'
import zhFunds from './funds.zh-CN'

// As internal/funds/types.go stores them.
const sourceLevels = ['central', 'province', 'city', 'county', 'town', 'social'] as const
const fundCategories = ['fiscal', 'subsidy', 'donation'] as const
const itemBases = ['household', 'person'] as const
const accountKinds = ['source', 'finance', 'department', 'project', 'village', 'enterprise', 'passbook'] as const
const transferKinds = ['allocate', 'transfer', 'payment', 'reversal'] as const

describe('funds messages', () => {
  it('name every enumeration value the API sends', () => {
    const f = zhFunds.funds
    for (const v of sourceLevels) expect(f.sourceLevels[v], v).toBeTruthy()
    for (const v of fundCategories) expect(f.categories[v], v).toBeTruthy()
    for (const v of itemBases) expect(f.bases[v], v).toBeTruthy()
    for (const v of accountKinds) expect(f.accountKinds[v], v).toBeTruthy()
    for (const v of transferKinds) expect(f.transferKinds[v], v).toBeTruthy()
  })

  it('name the audit actions and entities of the ledger, also the one below another action', async () => {
    const { i18n, label } = await import('./index')
    i18n.global.locale.value = 'zh-CN'
    expect(label('actions', 'fund.create')).toBe('登记资金')
    expect(label('actions', 'fund.file')).toBe('资金报备')
    expect(label('actions', 'ledger.transfer')).toBe('资金转账')
    expect(label('actions', 'ledger.reverse')).toBe('冲销转账')
    expect(label('actions', 'ledger.account.open')).toBe('开设资金账户')
    expect(label('entityTypes', 'ledger_transfer')).toBe('资金流水')
    i18n.global.locale.value = 'en'
    expect(label('actions', 'ledger.account.open')).toBe('Open ledger account')
    i18n.global.locale.value = 'zh-CN'
  })
})
