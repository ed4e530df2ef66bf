// Routes of the public face. The portal lives under /p/ and the kiosk under /kiosk; both are
// answered with this app's index.html by the binary, so the history base is the site root.
// Each area keeps its routes in routes/<area>.ts.
import { createRouter, createWebHistory } from 'vue-router'
import { regionRoutes } from './routes/region'
import { kioskRoutes } from './routes/kiosk'
import { socialRoutes } from './routes/social'
import { forcesRoutes } from './routes/forces'

export const router = createRouter({
  history: createWebHistory('/'),
  routes: [
    ...regionRoutes,
    ...kioskRoutes,
    ...socialRoutes,
    ...forcesRoutes,
    { path: '/p', redirect: '/p/' },
    { path: '/p/', name: 'home', component: () => import('./views/Home.vue'), meta: { title: 'app.title' } },
    { path: '/:rest(.*)*', redirect: '/p/' },
  ],
  scrollBehavior: (_to, _from, saved) => saved ?? { top: 0 },
})
