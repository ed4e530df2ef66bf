// The public face (阳光公开): the portal for phones at /p/ and the town service centres' kiosk
// at /kiosk. Its own build, light (Vant on demand, no ECharts, no Element Plus), so a cheap
// phone on a weak signal opens it fast and never downloads the office console. Served by the
// binary from dist/p; /kiosk answers with the same index.html.
//
//   npx vite build -c vite.portal.config.ts      → dist/p (after the console build)
//   npx vite -c vite.portal.config.ts            → dev server (API proxied)
import { fileURLToPath } from 'node:url'
import { defineConfig } from 'vite'
import vue from '@vitejs/plugin-vue'
import Components from 'unplugin-vue-components/vite'
import { VantResolver } from '@vant/auto-import-resolver'

const here = (p: string) => fileURLToPath(new URL(p, import.meta.url))
const api = process.env.SUNSHINE_API ?? 'http://127.0.0.1:8080'

export default defineConfig({
  root: here('./portal'),
  base: '/p/',
  publicDir: false,
  plugins: [
    // index.html names its entry as ../src/portal/main.ts (outside this root): the build
    // resolves that by file path, the dev server by URL.
    {
      name: 'portal-dev-entry',
      apply: 'serve',
      transformIndexHtml: {
        order: 'pre',
        handler: (html: string) => html.replace('../src/portal/main.ts', '/@fs' + here('./src/portal/main.ts')),
      },
    },
    vue(),
    Components({
      dts: here('./src/portal/components.d.ts'),
      dirs: [],
      resolvers: [VantResolver({ importStyle: 'css' })],
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
    outDir: here('./dist/p'),
    // Only dist/p: the console build (run first) owns the rest of dist/.
    emptyOutDir: true,
    assetsDir: 'assets',
    chunkSizeWarningLimit: 300,
  },
})
