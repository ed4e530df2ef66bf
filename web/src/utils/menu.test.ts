import { describe, expect, it } from 'vitest'
import { homePath, menuFor, permissionFor } from './menu'

const keys = (perms: string[]) => menuFor(perms).map((m) => m.key)

describe('menuFor', () => {
  it('gives the admin every entry in a fixed order', () => {
    const all = ['audit.verify', 'user.write', 'user.read', 'household.read', 'region.write', 'region.read', 'dashboard.read', 'audit.read']
    expect(keys(all)).toEqual(['dashboard', 'regions', 'households', 'users', 'audit'])
  })
  it('gives a county poverty office its working screens but not users or audit', () => {
    expect(keys(['dashboard.read', 'region.read', 'household.read'])).toEqual(['dashboard', 'regions', 'households'])
  })
  it('gives an auditor the audit trail', () => {
    expect(keys(['dashboard.read', 'region.read', 'household.read', 'audit.read', 'audit.verify'])).toEqual([
      'dashboard',
      'regions',
      'households',
      'audit',
    ])
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
    expect(permissionFor('/login')).toBeNull()
  })
})
