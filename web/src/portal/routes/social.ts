// Routes of the public face's social pages.
import type { RouteRecordRaw } from 'vue-router'

export const socialRoutes: RouteRecordRaw[] = []
