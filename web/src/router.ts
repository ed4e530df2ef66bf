import { createRouter, createWebHistory, type RouteRecordRaw } from 'vue-router'
import { setUnauthorizedHandler } from './api'
import { clearSession, ensureSession, session } from './session'
import { canOpen, homePath } from './utils/menu'
import { t } from './i18n'

const routes: RouteRecordRaw[] = [
  // Printable forms: no console chrome around them.
  {
    path: '/print/exit/:id(\\d+)',
    name: 'print-exit',
    component: () => import('./views/print/ExitFormPrint.vue'),
    meta: { title: 'print.exitTitle', permission: 'household.read' },
  },
  {
    path: '/print/card/:id(\\d+)',
    name: 'print-card',
    component: () => import('./views/print/CardPrint.vue'),
    meta: { title: 'print.cardTitle', permission: 'household.read' },
  },
  {
    path: '/print/funds/evaluation',
    name: 'print-fund-evaluation',
    component: () => import('./views/funds/EvaluationPrint.vue'),
    meta: { title: 'funds.eval.printTitle', permission: 'fund.read' },
  },
  { path: '/login', name: 'login', component: () => import('./views/login/LoginView.vue'), meta: { public: true } },
  {
    path: '/',
    component: () => import('./layouts/ConsoleLayout.vue'),
    children: [
      { path: '', name: 'home', component: () => import('./views/errors/HomeView.vue') },
      { path: 'dashboard', name: 'dashboard', component: () => import('./views/dashboard/DashboardView.vue'), meta: { title: 'menu.dashboard' } },
      { path: 'regions', name: 'regions', component: () => import('./views/regions/RegionsView.vue'), meta: { title: 'menu.regions' } },
      { path: 'households', name: 'households', component: () => import('./views/households/HouseholdsView.vue'), meta: { title: 'menu.households' } },
      {
        path: 'households/:id(\\d+)',
        name: 'household',
        component: () => import('./views/households/HouseholdFileView.vue'),
        meta: { title: 'file.title' },
      },
      { path: 'procedures', name: 'procedures', component: () => import('./views/procedures/ProceduresView.vue'), meta: { title: 'menu.procedures' } },
      {
        path: 'procedures/:id(\\d+)',
        name: 'procedure',
        component: () => import('./views/procedures/ProcedureView.vue'),
        meta: { title: 'procedure.title' },
      },
      { path: 'registry/stats', name: 'registry-stats', component: () => import('./views/registry/StatsView.vue'), meta: { title: 'menu.registryStats' } },
      { path: 'adjustment', name: 'adjustment', component: () => import('./views/registry/AdjustmentView.vue'), meta: { title: 'menu.adjustment' } },
      { path: 'exchange', name: 'exchange', component: () => import('./views/exchange/ExchangeView.vue'), meta: { title: 'menu.exchange' } },
      { path: 'duty/helpers', name: 'duty-helpers', component: () => import('./views/duty/HelpersView.vue'), meta: { title: 'menu.dutyHelpers' } },
      {
        path: 'duty/helpers/:id(\\d+)',
        name: 'duty-helper',
        component: () => import('./views/duty/HelperView.vue'),
        meta: { title: 'duty.detailTitle' },
      },
      { path: 'duty/coverage', name: 'duty-coverage', component: () => import('./views/duty/CoverageView.vue'), meta: { title: 'menu.dutyCoverage' } },
      { path: 'duty/villages', name: 'duty-villages', component: () => import('./views/duty/VillagesView.vue'), meta: { title: 'menu.dutyVillages' } },
      { path: 'visits', name: 'visits', component: () => import('./views/visits/VisitsView.vue'), meta: { title: 'menu.visits' } },
      {
        path: 'visits/compliance',
        name: 'visit-compliance',
        component: () => import('./views/visits/ComplianceView.vue'),
        meta: { title: 'menu.visitCompliance' },
      },
      { path: 'visits/:id(\\d+)', name: 'visit', component: () => import('./views/visits/VisitView.vue'), meta: { title: 'visits.detailTitle' } },
      { path: 'crosscheck/doubts', name: 'cc-doubts', component: () => import('./views/crosscheck/DoubtsView.vue'), meta: { title: 'menu.ccDoubts' } },
      {
        path: 'crosscheck/doubts/:id(\\d+)',
        name: 'cc-doubt',
        component: () => import('./views/crosscheck/DoubtView.vue'),
        meta: { title: 'cc.doubt.title' },
      },
      { path: 'crosscheck/runs', name: 'cc-runs', component: () => import('./views/crosscheck/RunsView.vue'), meta: { title: 'menu.ccRuns' } },
      { path: 'crosscheck/datasets', name: 'cc-datasets', component: () => import('./views/crosscheck/DatasetsView.vue'), meta: { title: 'menu.ccDatasets' } },
      { path: 'crosscheck/rules', name: 'cc-rules', component: () => import('./views/crosscheck/RulesView.vue'), meta: { title: 'menu.ccRules' } },
      {
        path: 'crosscheck/unauthorised',
        name: 'cc-unauthorised',
        component: () => import('./views/crosscheck/UnauthorisedView.vue'),
        meta: { title: 'menu.ccUnauthorised' },
      },
      { path: 'payments/plans', name: 'pay-plans', component: () => import('./views/payments/PlansView.vue'), meta: { title: 'menu.payPlans' } },
      {
        path: 'payments/plans/:id(\\d+)',
        name: 'pay-plan',
        component: () => import('./views/payments/PlanView.vue'),
        meta: { title: 'pay.plan.title' },
      },
      { path: 'payments/reissue', name: 'pay-reissue', component: () => import('./views/payments/ReissueView.vue'), meta: { title: 'menu.payReissue' } },
      { path: 'funds', name: 'funds', component: () => import('./views/funds/FundsView.vue'), meta: { title: 'menu.fundList' } },
      { path: 'funds/:id(\\d+)', name: 'fund', component: () => import('./views/funds/FundView.vue'), meta: { title: 'funds.detail.title' } },
      { path: 'funds/accounts', name: 'fund-accounts', component: () => import('./views/funds/AccountsView.vue'), meta: { title: 'menu.fundAccounts' } },
      {
        path: 'funds/accounts/:id(\\d+)',
        name: 'fund-account',
        component: () => import('./views/funds/AccountView.vue'),
        meta: { title: 'funds.account.title' },
      },
      { path: 'funds/transfers', name: 'fund-transfers', component: () => import('./views/funds/TransfersView.vue'), meta: { title: 'menu.fundTransfers' } },
      { path: 'funds/idle', name: 'fund-idle', component: () => import('./views/funds/IdleView.vue'), meta: { title: 'menu.fundIdle' } },
      { path: 'funds/evaluation', name: 'fund-evaluation', component: () => import('./views/funds/EvaluationView.vue'), meta: { title: 'menu.fundEvaluation' } },
      { path: 'projects', name: 'project-list', component: () => import('./views/projects/ProjectsView.vue'), meta: { title: 'menu.projectList' } },
      { path: 'projects/board', name: 'project-board', component: () => import('./views/projects/BoardView.vue'), meta: { title: 'menu.projectBoard' } },
      { path: 'projects/plans', name: 'village-plans', component: () => import('./views/projects/PlansView.vue'), meta: { title: 'menu.villagePlans' } },
      { path: 'projects/:id(\\d+)', name: 'project', component: () => import('./views/projects/ProjectView.vue'), meta: { title: 'menu.projectList' } },
      { path: 'assets', name: 'asset-register', component: () => import('./views/assets/AssetsView.vue'), meta: { title: 'menu.assetRegister' } },
      { path: 'assets/:id(\\d+)', name: 'asset', component: () => import('./views/assets/AssetView.vue'), meta: { title: 'menu.assetRegister' } },
      {
        path: 'assets/incomes/:id(\\d+)/distribute',
        name: 'asset-distribution',
        component: () => import('./views/assets/DistributionView.vue'),
        meta: { title: 'menu.assetRegister' },
      },
      // 社会扶贫 (W3): needs, donations and their receipts and trace, donors
      { path: 'social/needs', name: 'social-needs', component: () => import('./views/social/NeedsView.vue'), meta: { title: 'menu.socialNeeds' } },
      { path: 'social/needs/:id(\\d+)', name: 'social-need', component: () => import('./views/social/NeedView.vue'), meta: { title: 'menu.socialNeeds' } },
      { path: 'social/donations', name: 'social-donations', component: () => import('./views/social/DonationsView.vue'), meta: { title: 'menu.socialDonations' } },
      {
        path: 'social/donations/:id(\\d+)',
        name: 'social-donation',
        component: () => import('./views/social/DonationView.vue'),
        meta: { title: 'menu.socialDonations' },
      },
      { path: 'social/donors', name: 'social-donors', component: () => import('./views/social/DonorsView.vue'), meta: { title: 'menu.socialDonors' } },
      // 社会力量 (W4): volunteers and firms, deputies' and enterprises' pairs, entrepreneurs
      { path: 'social/providers', name: 'social-providers', component: () => import('./views/social/forces/ProvidersView.vue'), meta: { title: 'menu.socialProviders' } },
      { path: 'social/providers/:id(\\d+)', name: 'social-provider', component: () => import('./views/social/forces/ProviderView.vue'), meta: { title: 'menu.socialProviders' } },
      { path: 'social/deputies', name: 'social-deputies', component: () => import('./views/social/forces/DeputiesView.vue'), meta: { title: 'menu.socialDeputies' } },
      { path: 'social/deputies/:id(\\d+)', name: 'social-deputy', component: () => import('./views/social/forces/DeputyView.vue'), meta: { title: 'menu.socialDeputies' } },
      {
        path: 'social/deputies/pairings/:id(\\d+)',
        name: 'social-deputy-pairing',
        component: () => import('./views/social/forces/PairingView.vue'),
        meta: { title: 'menu.socialDeputies' },
      },
      { path: 'social/enterprises', name: 'social-enterprises', component: () => import('./views/social/forces/EnterprisesView.vue'), meta: { title: 'menu.socialEnterprises' } },
      { path: 'social/enterprises/:id(\\d+)', name: 'social-enterprise', component: () => import('./views/social/forces/PairingView.vue'), meta: { title: 'menu.socialEnterprises' } },
      { path: 'social/entrepreneurs', name: 'social-entrepreneurs', component: () => import('./views/social/forces/EntrepreneursView.vue'), meta: { title: 'menu.socialEntrepreneurs' } },
      {
        path: 'social/entrepreneurs/:id(\\d+)',
        name: 'social-entrepreneur',
        component: () => import('./views/social/forces/EntrepreneurView.vue'),
        meta: { title: 'menu.socialEntrepreneurs' },
      },
      { path: 'oversight/cockpit', name: 'oversight-cockpit', component: () => import('./views/oversight/CockpitView.vue'), meta: { title: 'menu.oversightCockpit' } },
      { path: 'oversight/alerts', name: 'alert-inbox', component: () => import('./views/oversight/AlertsView.vue'), meta: { title: 'menu.alertInbox' } },
      { path: 'oversight/alerts/:id(\\d+)', name: 'alert', component: () => import('./views/oversight/AlertView.vue'), meta: { title: 'oversight.alert.title' } },
      {
        path: 'oversight/supervision',
        name: 'alert-supervision',
        component: () => import('./views/oversight/SupervisionView.vue'),
        meta: { title: 'menu.alertSupervision' },
      },
      { path: 'oversight/rules', name: 'alert-rules', component: () => import('./views/oversight/AlertRulesView.vue'), meta: { title: 'menu.alertRules' } },
      { path: 'oversight/complaints', name: 'complaints', component: () => import('./views/complaints/ComplaintsView.vue'), meta: { title: 'menu.complaints' } },
      {
        path: 'oversight/complaints/:id(\\d+)',
        name: 'complaint',
        component: () => import('./views/complaints/ComplaintView.vue'),
        meta: { title: 'complaints.detail.title' },
      },
      { path: 'oversight/spot', name: 'spot-checks', component: () => import('./views/complaints/SpotPlansView.vue'), meta: { title: 'menu.spotChecks' } },
      { path: 'oversight/spot/:id(\\d+)', name: 'spot-plan', component: () => import('./views/complaints/SpotPlanView.vue'), meta: { title: 'complaints.spot.title' } },
      { path: 'oversight/cases', name: 'cases', component: () => import('./views/complaints/CasesView.vue'), meta: { title: 'menu.cases' } },
      { path: 'users', name: 'users', component: () => import('./views/users/UsersView.vue'), meta: { title: 'menu.users' } },
      { path: 'audit', name: 'audit', component: () => import('./views/audit/AuditView.vue'), meta: { title: 'menu.audit' } },
      { path: ':rest(.*)*', name: 'not-found', component: () => import('./views/errors/NotFoundView.vue'), meta: { title: 'notFound.title' } },
    ],
  },
]

export const router = createRouter({ history: createWebHistory('/'), routes })

router.beforeEach(async (to) => {
  if (to.meta.public) {
    // A signed-in user who opens /login goes to work instead.
    if (to.name === 'login' && (await ensureSession())) return homePath(session.permissions) ?? '/'
    return true
  }
  if (!(await ensureSession())) {
    return { name: 'login', query: to.fullPath !== '/' ? { redirect: to.fullPath } : {} }
  }
  if (to.name === 'home') {
    const home = homePath(session.permissions)
    return home ?? true
  }
  const need = to.meta.permission as string | undefined
  if (need && !session.permissions.includes(need)) return { name: 'home' }
  if (!canOpen(to.path, session.permissions)) return { name: 'home' }
  return true
})

router.afterEach((to) => {
  const title = to.meta.title ? t(to.meta.title as string) + ' - ' : ''
  document.title = title + t('app.title')
})

// Any 401 from the API (session expired, revoked): back to sign-in, then back here.
setUnauthorizedHandler(() => {
  clearSession()
  const cur = router.currentRoute.value
  if (cur.name !== 'login') router.replace({ name: 'login', query: { redirect: cur.fullPath } })
})
