import type { RoleInfo } from '../api/types'

// The roles the console offers, in a stable order; /roles may add more.
export const knownRoles = [
  'admin',
  'poverty_office',
  'village_cadre',
  'helper',
  'civil_affairs',
  'finance',
  'department',
  'auditor',
  'discipline',
  'participant',
]

// /roles answers a list of {role|code|name, permissions}; accept any of those
// spellings and keep the known order.
export function roleNames(res: { items: RoleInfo[] } | RoleInfo[] | null | undefined): string[] {
  const list = Array.isArray(res) ? res : (res?.items ?? [])
  const names = list.map((r) => r.role ?? r.code ?? r.name ?? '').filter(Boolean)
  if (names.length === 0) return knownRoles
  const known = knownRoles.filter((r) => names.includes(r))
  return [...known, ...names.filter((n) => !knownRoles.includes(n))]
}
