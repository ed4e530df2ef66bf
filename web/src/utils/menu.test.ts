import { describe, expect, it } from 'vitest'
import { canOpen, homePath, menuFor, menuTree, permissionFor } from './menu'

const keys = (perms: string[]) => menuFor(perms).map((m) => m.key)

describe('menuFor', () => {
  it('gives the admin every entry in a fixed order', () => {
    const all = ['audit.verify', 'user.write', 'user.read', 'household.read', 'region.write', 'region.read', 'dashboard.read', 'audit.read']
    expect(keys(all)).toEqual(['dashboard', 'regions', 'households', 'procedures', 'registry-stats', 'adjustment', 'exchange', 'duty-helpers', 'duty-coverage', 'duty-villages', 'users', 'audit'])
  })
  it('gives a county poverty office its working screens but not users or audit', () => {
    const office = ['dashboard.read', 'region.read', 'household.read', 'household.write', 'household.export', 'registry.import', 'procedure.sign']
    expect(keys(office)).toEqual(['dashboard', 'regions', 'households', 'procedures', 'registry-stats', 'adjustment', 'exchange', 'duty-helpers', 'duty-coverage', 'duty-villages'])
  })
  it('gives an auditor the audit trail', () => {
    expect(keys(['dashboard.read', 'region.read', 'household.read', 'household.export', 'audit.read', 'audit.verify'])).toEqual([
      'dashboard',
      'regions',
      'households',
      'procedures',
      'registry-stats',
      'adjustment',
      'exchange',
      'duty-helpers',
      'duty-coverage',
      'duty-villages',
      'audit',
    ])
  })
  it('gives a helper the register and sign-offs but not the office statistics', () => {
    expect(keys(['region.read', 'household.read', 'procedure.sign'])).toEqual(['regions', 'households', 'procedures', 'duty-helpers', 'duty-coverage', 'duty-villages'])
  })
  it('gives finance the fund screens with the re-issue queue, a department the import page but no re-issue', () => {
    const funds = ['fund-list', 'fund-accounts', 'fund-transfers', 'pay-plans']
    const finance = keys(['region.read', 'fund.read', 'fund.write', 'plan.approve'])
    expect(finance).toEqual(['regions', 'exchange', ...funds, 'pay-reissue', 'fund-idle', 'fund-evaluation'])
    const dept = keys(['region.read', 'fund.read', 'fund.write'])
    expect(dept).toEqual(['regions', 'exchange', ...funds, 'fund-idle', 'fund-evaluation'])
    expect(keys(['plan.approve'])).toEqual([])
  })
  it('does not show an entry for a write permission alone', () => {
    expect(keys(['user.write', 'region.write'])).toEqual([])
  })
  it('ignores unknown permissions and copes with nothing', () => {
    expect(keys(['funds.read'])).toEqual([])
    expect(menuFor(null)).toEqual([])
    expect(menuFor(undefined)).toEqual([])
  })
})

describe('homePath', () => {
  it('is the first allowed entry', () => {
    expect(homePath(['household.read', 'audit.read'])).toBe('/households')
    expect(homePath(['dashboard.read', 'audit.read'])).toBe('/dashboard')
    expect(homePath([])).toBeNull()
  })
})

describe('permissionFor', () => {
  it('maps paths to the permission they need', () => {
    expect(permissionFor('/users')).toBe('user.read')
    expect(permissionFor('/audit/12')).toBe('audit.read')
    expect(permissionFor('/households/7')).toBe('household.read')
    expect(permissionFor('/registry/stats')).toBe('household.read')
    expect(permissionFor('/exchange')).toBe('registry.import')
    expect(permissionFor('/login')).toBeNull()
    expect(permissionFor('/householdsx')).toBeNull()
  })
})

describe('canOpen', () => {
  it('needs any of the entry\'s permissions and all it requires', () => {
    expect(canOpen('/exchange', ['household.export', 'region.read'])).toBe(true)
    expect(canOpen('/exchange', ['household.read'])).toBe(false)
    expect(canOpen('/adjustment', ['household.read'])).toBe(false)
    expect(canOpen('/adjustment', ['household.read', 'dashboard.read'])).toBe(true)
    expect(canOpen('/procedures/3', ['household.read'])).toBe(true)
    expect(canOpen('/print/card/1', [])).toBe(true)
  })
})

describe('duty menu', () => {
  it('shows the 精准帮扶 screens to anyone who reads households', () => {
    expect(menuFor(['household.read']).map((m) => m.key)).toEqual(['households', 'procedures', 'duty-helpers', 'duty-coverage', 'duty-villages'])
    expect(menuFor(['dashboard.read']).map((m) => m.key)).not.toContain('duty-helpers')
    expect(canOpen('/duty/helpers/12', ['household.read'])).toBe(true)
    expect(canOpen('/duty/coverage', ['region.read'])).toBe(false)
    expect(menuTree(menuFor(['household.read'])).find((g) => g.key === 'menu.duty')?.icon).toBe('Connection')
  })
})

describe('menuTree', () => {
  it('groups the identification screens under one sub-menu, in order', () => {
    const tree = menuTree(menuFor(['dashboard.read', 'household.read', 'user.read', 'registry.import', 'region.read']))
    expect(tree.map((g) => [g.key, g.group, g.items.map((i) => i.key)])).toEqual([
      ['dashboard', false, ['dashboard']],
      ['regions', false, ['regions']],
      ['menu.identification', true, ['households', 'procedures', 'registry-stats', 'adjustment', 'exchange']],
      ['menu.duty', true, ['duty-helpers', 'duty-coverage', 'duty-villages']],
      ['users', false, ['users']],
    ])
  })
})

describe('visits menu', () => {
  it('shows 走访记录 and 走访考核 under 精准帮扶 only with visit.read', () => {
    expect(keys(['household.read'])).not.toContain('visits')
    expect(keys(['household.read', 'visit.read'])).toEqual(['households', 'procedures', 'duty-helpers', 'duty-coverage', 'duty-villages', 'visits', 'visit-compliance'])
    const duty = menuTree(menuFor(['household.read', 'visit.read'])).find((g) => g.key === 'menu.duty')
    expect(duty?.items.map((i) => i.key)).toEqual(['duty-helpers', 'duty-coverage', 'duty-villages', 'visits', 'visit-compliance'])
  })
  it('guards the visit pages by visit.read, the compliance page by its own entry', () => {
    expect(permissionFor('/visits/12')).toBe('visit.read')
    expect(permissionFor('/visits/compliance')).toBe('visit.read')
    expect(canOpen('/visits/12', ['household.read'])).toBe(false)
    expect(canOpen('/visits/compliance', ['visit.read'])).toBe(true)
  })
})
