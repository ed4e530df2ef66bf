// The helpers' field app (手机APP): its own build, so a phone never downloads the office
// console. Served by the binary at /m/ from dist/m; installable (manifest + service
// worker) and fully usable offline once signed in.
//
//   npx vite build -c vite.field.config.ts      → dist/m (run after the console build,
//                                                  which empties dist/)
//   npx vite -c vite.field.config.ts            → dev server at /m/ (API proxied)
import { fileURLToPath } from 'node:url'
import { defineConfig } from 'vite'
import vue from '@vitejs/plugin-vue'
import Components from 'unplugin-vue-components/vite'
import { VantResolver } from '@vant/auto-import-resolver'
import { VitePWA } from 'vite-plugin-pwa'

const here = (p: string) => fileURLToPath(new URL(p, import.meta.url))
const api = process.env.SUNSHINE_API ?? 'http://127.0.0.1:8080'
const theme = '#d9480f'

export default defineConfig({
  root: here('./field'),
  base: '/m/',
  publicDir: here('./field/public'),
  plugins: [
    // index.html names its entry as ../src/field/main.ts (outside this root): the build
    // resolves that by file path, the dev server by URL, so point the dev server at it.
    {
      name: 'field-dev-entry',
      apply: 'serve',
      transformIndexHtml: {
        order: 'pre',
        handler: (html: string) => html.replace('../src/field/main.ts', '/@fs' + here('./src/field/main.ts')),
      },
    },
    vue(),
    // Vant components (and their CSS) are imported on demand, per use.
    Components({
      dts: here('./src/field/components.d.ts'),
      dirs: [],
      resolvers: [VantResolver({ importStyle: 'css' })],
    }),
    VitePWA({
      // main.ts registers /m/sw.js itself (no extra registration script to download).
      injectRegister: false,
      registerType: 'autoUpdate',
      manifestFilename: 'manifest.webmanifest',
      manifest: {
        id: '/m/',
        name: '阳光扶贫·帮扶走访',
        short_name: '帮扶走访',
        description: '帮扶责任人季度入户走访:离线记录,联网自动上传',
        lang: 'zh-CN',
        start_url: '/m/',
        scope: '/m/',
        display: 'standalone',
        orientation: 'portrait',
        theme_color: theme,
        background_color: '#f2f3f5',
        icons: [
          { src: '/m/icons/icon-192.png', sizes: '192x192', type: 'image/png', purpose: 'any' },
          { src: '/m/icons/icon-512.png', sizes: '512x512', type: 'image/png', purpose: 'any' },
          { src: '/m/icons/icon-512.png', sizes: '512x512', type: 'image/png', purpose: 'maskable' },
        ],
      },
      workbox: {
        // Precache the whole app (it is one bundle); nothing else. Households, visits and
        // photos live in IndexedDB, so /api/ answers are never cached by the worker.
        globPatterns: ['**/*.{js,css,html,png}'],
        navigateFallback: '/m/index.html',
        navigateFallbackAllowlist: [/^\/m\//],
        runtimeCaching: [],
        cleanupOutdatedCaches: true,
        clientsClaim: true,
        skipWaiting: true,
        // vite-plugin-pwa names the worker's helper file workbox-<hash>.js; inline it
        // instead: one file fewer to fetch and to serve with no-cache.
        inlineWorkboxRuntime: true,
        sourcemap: false,
      },
    }),
  ],
  define: {
    __VUE_I18N_FULL_INSTALL__: false,
    __VUE_I18N_LEGACY_API__: false,
    __INTLIFY_PROD_DEVTOOLS__: false,
    __VUE_PROD_DEVTOOLS__: false,
  },
  server: {
    proxy: {
      '/api': { target: api, changeOrigin: false },
    },
  },
  build: {
    outDir: here('./dist/m'),
    // Only dist/m: the console build (run first) owns the rest of dist/.
    emptyOutDir: true,
    assetsDir: 'assets',
    chunkSizeWarningLimit: 400,
  },
})
