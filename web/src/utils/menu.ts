// The console's left menu, built from the permissions the server returned for
// the signed-in user (/auth/me). The server enforces the same permissions; the
// menu only hides what would answer 403 anyway.
export type Permission =
  | 'dashboard.read'
  | 'region.read'
  | 'region.write'
  | 'household.read'
  | 'user.read'
  | 'user.write'
  | 'audit.read'
  | 'audit.verify'

export interface MenuItem {
  key: string
  path: string
  permission: Permission
  icon: string
  label: string // i18n key
}

export const menuItems: MenuItem[] = [
  { key: 'dashboard', path: '/dashboard', permission: 'dashboard.read', icon: 'Odometer', label: 'menu.dashboard' },
  { key: 'regions', path: '/regions', permission: 'region.read', icon: 'MapLocation', label: 'menu.regions' },
  { key: 'households', path: '/households', permission: 'household.read', icon: 'House', label: 'menu.households' },
  { key: 'users', path: '/users', permission: 'user.read', icon: 'User', label: 'menu.users' },
  { key: 'audit', path: '/audit', permission: 'audit.read', icon: 'Tickets', label: 'menu.audit' },
]

export function menuFor(permissions: readonly string[] | null | undefined): MenuItem[] {
  const have = new Set(permissions ?? [])
  return menuItems.filter((m) => have.has(m.permission))
}

// Where to land after signing in (or on "/"): the first menu entry the user
// may open, or null when there is none.
export function homePath(permissions: readonly string[] | null | undefined): string | null {
  return menuFor(permissions)[0]?.path ?? null
}

// The permission a path needs (by its first segment), or null for open paths.
export function permissionFor(path: string): Permission | null {
  const first = '/' + (path.split('/')[1] ?? '')
  return menuItems.find((m) => m.path === first)?.permission ?? null
}
