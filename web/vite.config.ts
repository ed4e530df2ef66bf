import { defineConfig } from 'vitest/config'
import vue from '@vitejs/plugin-vue'
import Components from 'unplugin-vue-components/vite'
import { ElementPlusResolver } from 'unplugin-vue-components/resolvers'

// The Go binary embeds dist/; during development `npm run dev` proxies the API
// to a locally running `sunshine serve` (default 127.0.0.1:8080, or SUNSHINE_API).
const api = process.env.SUNSHINE_API ?? 'http://127.0.0.1:8080'

export default defineConfig({
  plugins: [
    vue(),
    // Element Plus components (and their CSS) are imported on demand, per use.
    Components({
      dts: 'src/components.d.ts',
      resolvers: [ElementPlusResolver({ importStyle: 'css' })],
    }),
  ],
  define: {
    __VUE_I18N_FULL_INSTALL__: true,
    __VUE_I18N_LEGACY_API__: false,
    __INTLIFY_PROD_DEVTOOLS__: false,
    __VUE_PROD_DEVTOOLS__: false,
  },
  server: {
    proxy: {
      '/api': { target: api, changeOrigin: false },
      '/readyz': api,
      '/healthz': api,
    },
  },
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    chunkSizeWarningLimit: 800,
    rollupOptions: {
      output: {
        // Shared chunks are named after their first module; Element Plus's style
        // entries are all called "css", which says nothing: call those "ui".
        chunkFileNames: (chunk) => `assets/${chunk.name === 'css' ? 'ui' : chunk.name}-[hash].js`,
        assetFileNames: (asset) =>
          (asset.names?.[0] ?? '').startsWith('css.') ? 'assets/ui-[hash][extname]' : 'assets/[name]-[hash][extname]',
      },
    },
  },
  test: {
    include: ['src/**/*.test.ts'],
    environment: 'node',
  },
})
