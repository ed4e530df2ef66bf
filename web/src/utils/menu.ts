// The console's left menu, built from the permissions the server returned for
// the signed-in user (/auth/me). The server enforces the same permissions; the
// menu only hides what would answer 403 anyway.
export type Permission =
  | 'dashboard.read'
  | 'region.read'
  | 'region.write'
  | 'household.read'
  | 'household.write'
  | 'household.export'
  | 'registry.import'
  | 'procedure.start'
  | 'procedure.sign'
  | 'objection.lodge'
  | 'procedure.define'
  | 'incomeline.write'
  | 'user.read'
  | 'user.write'
  | 'audit.read'
  | 'audit.verify'
  | 'duty.write'
  | 'visit.read'
  | 'visit.review'
  | 'doubt.read'
  | 'doubt.verify'
  | 'crosscheck.run'
  | 'crosscheck.rules'
  | 'fund.read'
  | 'fund.write'
  | 'plan.write'
  | 'plan.approve'
  | 'alert.read'
  | 'alert.handle'
  | 'alert.run'
  | 'alert.rules'
  | 'complaint.read'
  | 'complaint.handle'
  | 'complaint.lodge'
  | 'spot.write'
  | 'case.read'
  | 'case.write'
  | 'project.read'
  | 'project.write'
  | 'project.sign'
  | 'social.read'
  | 'social.write'

export interface MenuItem {
  key: string
  path: string
  // the entry shows when the user has any of these
  permission: Permission | Permission[]
  // … and all of these
  requires?: Permission[]
  icon: string
  label: string // i18n key
  group?: string // i18n key of the sub-menu it belongs to
}

export const menuItems: MenuItem[] = [
  { key: 'dashboard', path: '/dashboard', permission: 'dashboard.read', icon: 'Odometer', label: 'menu.dashboard' },
  { key: 'regions', path: '/regions', permission: 'region.read', icon: 'MapLocation', label: 'menu.regions' },
  { key: 'households', path: '/households', permission: 'household.read', icon: 'House', label: 'menu.households', group: 'menu.identification' },
  {
    key: 'procedures',
    path: '/procedures',
    permission: 'household.read',
    icon: 'Stamp',
    label: 'menu.procedures',
    group: 'menu.identification',
  },
  {
    key: 'registry-stats',
    path: '/registry/stats',
    permission: 'household.read',
    requires: ['dashboard.read'],
    icon: 'PieChart',
    label: 'menu.registryStats',
    group: 'menu.identification',
  },
  {
    key: 'adjustment',
    path: '/adjustment',
    permission: 'household.read',
    requires: ['dashboard.read'],
    icon: 'Switch',
    label: 'menu.adjustment',
    group: 'menu.identification',
  },
  {
    key: 'exchange',
    path: '/exchange',
    // the kinds list then says what each user may import or export (admin: regions, audit)
    permission: ['registry.import', 'household.export', 'region.write', 'audit.read', 'fund.write'],
    requires: ['region.read'],
    icon: 'Files',
    label: 'menu.exchange',
    group: 'menu.identification',
  },
  {
    key: 'duty-helpers',
    path: '/duty/helpers',
    permission: 'household.read',
    icon: 'Avatar',
    label: 'menu.dutyHelpers',
    group: 'menu.duty',
  },
  {
    key: 'duty-coverage',
    path: '/duty/coverage',
    permission: 'household.read',
    icon: 'DataAnalysis',
    label: 'menu.dutyCoverage',
    group: 'menu.duty',
  },
  {
    key: 'duty-villages',
    path: '/duty/villages',
    permission: 'household.read',
    icon: 'OfficeBuilding',
    label: 'menu.dutyVillages',
    group: 'menu.duty',
  },
  { key: 'visits', path: '/visits', permission: 'visit.read', icon: 'Location', label: 'menu.visits', group: 'menu.duty' },
  {
    key: 'visit-compliance',
    path: '/visits/compliance',
    permission: 'visit.read',
    icon: 'TrendCharts',
    label: 'menu.visitCompliance',
    group: 'menu.duty',
  },
  { key: 'cc-doubts', path: '/crosscheck/doubts', permission: 'doubt.read', icon: 'Warning', label: 'menu.ccDoubts', group: 'menu.crosscheck' },
  { key: 'cc-runs', path: '/crosscheck/runs', permission: 'doubt.read', icon: 'Cpu', label: 'menu.ccRuns', group: 'menu.crosscheck' },
  { key: 'cc-datasets', path: '/crosscheck/datasets', permission: 'doubt.read', icon: 'Coin', label: 'menu.ccDatasets', group: 'menu.crosscheck' },
  { key: 'cc-rules', path: '/crosscheck/rules', permission: 'doubt.read', icon: 'SetUp', label: 'menu.ccRules', group: 'menu.crosscheck' },
  {
    key: 'cc-unauthorised',
    path: '/crosscheck/unauthorised',
    permission: 'doubt.read',
    requires: ['household.read'],
    icon: 'DocumentDelete',
    label: 'menu.ccUnauthorised',
    group: 'menu.crosscheck',
  },
  { key: 'fund-list', path: '/funds', permission: 'fund.read', icon: 'Money', label: 'menu.fundList', group: 'menu.funds' },
  { key: 'fund-accounts', path: '/funds/accounts', permission: 'fund.read', icon: 'CreditCard', label: 'menu.fundAccounts', group: 'menu.funds' },
  { key: 'fund-transfers', path: '/funds/transfers', permission: 'fund.read', icon: 'Sort', label: 'menu.fundTransfers', group: 'menu.funds' },
  { key: 'pay-plans', path: '/payments/plans', permission: 'fund.read', icon: 'Wallet', label: 'menu.payPlans', group: 'menu.funds' },
  {
    key: 'pay-reissue',
    path: '/payments/reissue',
    permission: 'plan.approve',
    requires: ['fund.read'],
    icon: 'RefreshRight',
    label: 'menu.payReissue',
    group: 'menu.funds',
  },
  { key: 'fund-idle', path: '/funds/idle', permission: 'fund.read', icon: 'AlarmClock', label: 'menu.fundIdle', group: 'menu.funds' },
  { key: 'fund-evaluation', path: '/funds/evaluation', permission: 'fund.read', icon: 'Histogram', label: 'menu.fundEvaluation', group: 'menu.funds' },
  { key: 'project-list', path: '/projects', permission: 'project.read', icon: 'Files', label: 'menu.projectList', group: 'menu.projects' },
  { key: 'project-board', path: '/projects/board', permission: 'project.read', icon: 'Grid', label: 'menu.projectBoard', group: 'menu.projects' },
  { key: 'village-plans', path: '/projects/plans', permission: 'project.read', icon: 'DocumentChecked', label: 'menu.villagePlans', group: 'menu.projects' },
  { key: 'asset-register', path: '/assets', permission: 'project.read', icon: 'OfficeBuilding', label: 'menu.assetRegister', group: 'menu.projects' },
  { key: 'social-needs', path: '/social/needs', permission: 'social.read', icon: 'Tickets', label: 'menu.socialNeeds', group: 'menu.social' },
  { key: 'social-donations', path: '/social/donations', permission: 'social.read', icon: 'Wallet', label: 'menu.socialDonations', group: 'menu.social' },
  { key: 'social-donors', path: '/social/donors', permission: 'social.read', icon: 'User', label: 'menu.socialDonors', group: 'menu.social' },
  { key: 'social-providers', path: '/social/providers', permission: 'social.read', icon: 'Avatar', label: 'menu.socialProviders', group: 'menu.social' },
  { key: 'social-deputies', path: '/social/deputies', permission: 'social.read', icon: 'Connection', label: 'menu.socialDeputies', group: 'menu.social' },
  { key: 'social-enterprises', path: '/social/enterprises', permission: 'social.read', icon: 'OfficeBuilding', label: 'menu.socialEnterprises', group: 'menu.social' },
  { key: 'social-entrepreneurs', path: '/social/entrepreneurs', permission: 'social.read', icon: 'Location', label: 'menu.socialEntrepreneurs', group: 'menu.social' },
  { key: 'oversight-cockpit', path: '/oversight/cockpit', permission: 'alert.read', icon: 'DataBoard', label: 'menu.oversightCockpit', group: 'menu.oversight' },
  { key: 'alert-inbox', path: '/oversight/alerts', permission: 'alert.read', icon: 'Bell', label: 'menu.alertInbox', group: 'menu.oversight' },
  {
    key: 'alert-supervision',
    path: '/oversight/supervision',
    permission: 'alert.read',
    icon: 'View',
    label: 'menu.alertSupervision',
    group: 'menu.oversight',
  },
  { key: 'alert-rules', path: '/oversight/rules', permission: 'alert.read', icon: 'SetUp', label: 'menu.alertRules', group: 'menu.oversight' },
  { key: 'complaints', path: '/oversight/complaints', permission: 'complaint.read', icon: 'ChatLineSquare', label: 'menu.complaints', group: 'menu.oversight' },
  { key: 'spot-checks', path: '/oversight/spot', permission: 'alert.read', icon: 'Aim', label: 'menu.spotChecks', group: 'menu.oversight' },
  { key: 'cases', path: '/oversight/cases', permission: 'case.read', icon: 'Stamp', label: 'menu.cases', group: 'menu.oversight' },
  { key: 'users', path: '/users', permission: 'user.read', icon: 'User', label: 'menu.users' },
  { key: 'audit', path: '/audit', permission: 'audit.read', icon: 'Tickets', label: 'menu.audit' },
]

function allowed(m: MenuItem, have: Set<string>): boolean {
  const any = Array.isArray(m.permission) ? m.permission : [m.permission]
  return any.some((p) => have.has(p)) && (m.requires ?? []).every((p) => have.has(p))
}

export function menuFor(permissions: readonly string[] | null | undefined): MenuItem[] {
  const have = new Set(permissions ?? [])
  return menuItems.filter((m) => allowed(m, have))
}

export interface MenuGroup {
  key: string // the group's i18n key, or the item's key for a top-level entry
  label: string
  icon: string
  items: MenuItem[]
  group: boolean
}

const groupIcons: Record<string, string> = { 'menu.identification': 'Aim', 'menu.duty': 'Connection', 'menu.crosscheck': 'Finished', 'menu.funds': 'Money', 'menu.projects': 'Files', 'menu.oversight': 'Warning', 'menu.social': 'Coin' }

// The menu as the layout draws it: top-level entries and sub-menus, in order.
export function menuTree(items: MenuItem[]): MenuGroup[] {
  const out: MenuGroup[] = []
  for (const m of items) {
    if (!m.group) {
      out.push({ key: m.key, label: m.label, icon: m.icon, items: [m], group: false })
      continue
    }
    const g = out.find((x) => x.group && x.key === m.group)
    if (g) g.items.push(m)
    else out.push({ key: m.group, label: m.group, icon: groupIcons[m.group] ?? 'Aim', items: [m], group: true })
  }
  return out
}

// Where to land after signing in (or on "/"): the first menu entry the user
// may open, or null when there is none.
export function homePath(permissions: readonly string[] | null | undefined): string | null {
  return menuFor(permissions)[0]?.path ?? null
}

// The menu entry a path belongs to (the longest matching path prefix).
export function entryFor(path: string): MenuItem | null {
  let best: MenuItem | null = null
  for (const m of menuItems) {
    if ((path === m.path || path.startsWith(m.path + '/')) && (!best || m.path.length > best.path.length)) best = m
  }
  return best
}

// The permission a path needs (the first of its entry's), or null for open paths.
export function permissionFor(path: string): Permission | null {
  const m = entryFor(path)
  if (!m) return null
  return Array.isArray(m.permission) ? m.permission[0] : m.permission
}

// Whether a user with these permissions may open path (paths outside the menu are open;
// the server decides about those).
export function canOpen(path: string, permissions: readonly string[] | null | undefined): boolean {
  const m = entryFor(path)
  return !m || allowed(m, new Set(permissions ?? []))
}
