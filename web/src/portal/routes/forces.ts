// Routes of the public face's forces pages: 社会力量 of a county, town or village.
import type { RouteRecordRaw } from 'vue-router'

export const forcesRoutes: RouteRecordRaw[] = [
  { path: '/p/forces/:code(\\d{12})', name: 'forces', component: () => import('../views/forces/ForcesView.vue'), meta: { title: 'forces.title' } },
]
