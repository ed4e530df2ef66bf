// Routes of the field app, under /m/ (the service worker answers every /m/ navigation with
// index.html, so a deep link opens offline too). All views are in the one bundle: the
// precache then holds everything, and no chunk is missing when the app opens offline.
import { createRouter, createWebHistory } from 'vue-router'
import { state } from './store'
import SignIn from './views/SignIn.vue'
import Households from './views/Households.vue'
import Household from './views/Household.vue'
import VisitForm from './views/VisitForm.vue'
import ComplaintForm from './views/ComplaintForm.vue'
import Queue from './views/Queue.vue'
import Me from './views/Me.vue'

export const router = createRouter({
  history: createWebHistory('/m/'),
  routes: [
    { path: '/login', name: 'login', component: SignIn, meta: { public: true, title: 'login.title' } },
    { path: '/', name: 'households', component: Households, meta: { tab: true, title: 'households.title' } },
    { path: '/h/:id', name: 'household', component: Household, props: true, meta: { title: 'household.title' } },
    { path: '/h/:id/visit/:cid?', name: 'visit', component: VisitForm, props: true, meta: { title: 'visit.titleNew' } },
    { path: '/h/:id/complaint', name: 'complaint', component: ComplaintForm, props: true, meta: { title: 'complaint.title' } },
    { path: '/queue', name: 'queue', component: Queue, meta: { tab: true, title: 'queue.title' } },
    { path: '/me', name: 'me', component: Me, meta: { tab: true, title: 'me.title' } },
    { path: '/:rest(.*)*', redirect: '/' },
  ],
  scrollBehavior: (_to, _from, saved) => saved ?? { top: 0 },
})

router.beforeEach((to) => {
  // Signed in once = usable offline, even when the token has expired meanwhile (the
  // queue keeps filling; only uploading needs a new sign-in).
  if (!to.meta.public && !state.token) return { name: 'login' }
  if (to.name === 'login' && state.token && !state.needSignIn) return { name: 'households' }
  return true
})
