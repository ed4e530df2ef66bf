import { createRouter, createWebHistory, type RouteRecordRaw } from 'vue-router'
import { setUnauthorizedHandler } from './api'
import { clearSession, ensureSession, session } from './session'
import { homePath, permissionFor } from './utils/menu'
import { t } from './i18n'

const routes: RouteRecordRaw[] = [
  { path: '/login', name: 'login', component: () => import('./views/login/LoginView.vue'), meta: { public: true } },
  {
    path: '/',
    component: () => import('./layouts/ConsoleLayout.vue'),
    children: [
      { path: '', name: 'home', component: () => import('./views/errors/HomeView.vue') },
      { path: 'dashboard', name: 'dashboard', component: () => import('./views/dashboard/DashboardView.vue'), meta: { title: 'menu.dashboard' } },
      { path: 'regions', name: 'regions', component: () => import('./views/regions/RegionsView.vue'), meta: { title: 'menu.regions' } },
      { path: 'households', name: 'households', component: () => import('./views/households/HouseholdsView.vue'), meta: { title: 'menu.households' } },
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
  const need = permissionFor(to.path)
  if (need && !session.permissions.includes(need)) return { name: 'home' }
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
