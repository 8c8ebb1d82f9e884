import { fileURLToPath } from 'node:url'
import { defineConfig } from 'vite'
import vue from '@vitejs/plugin-vue'
import { precompressAndStamp } from './build/precompress.ts'

const adminDir = fileURLToPath(new URL('.', import.meta.url))

/** Libraries that change together and rarely: one long-cached chunk. */
const VUE_CORE = /[\\/]node_modules[\\/](@vue|vue|vue-router|pinia|vue-i18n|@intlify)[\\/]/
/** Charts are heavy and only some pages draw them: kept out of every other page's download. */
const CHARTS = /[\\/]node_modules[\\/](echarts|zrender|vue-echarts)[\\/]/

// The dashboard, built into admin/dist and served by the gateway at `/` (core/dashboard/).
// naive-ui is left to the automatic splitter on purpose: each page then pulls only the components it renders.
export default defineConfig({
  root: adminDir,
  base: '/',
  // Vite's dev cache stays inside admin/ (node_modules may be shared between checkouts).
  cacheDir: '.vite',
  plugins: [vue(), precompressAndStamp(adminDir)],
  define: {
    __VUE_PROD_DEVTOOLS__: 'false',
    __VUE_PROD_HYDRATION_MISMATCH_DETAILS__: 'false',
    __VUE_I18N_FULL_INSTALL__: 'false',
    __VUE_I18N_LEGACY_API__: 'false',
    __INTLIFY_PROD_DEVTOOLS__: 'false',
  },
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    assetsDir: 'assets',
    target: 'es2022',
    reportCompressedSize: false,
    chunkSizeWarningLimit: 800,
    rolldownOptions: {
      output: {
        entryFileNames: 'assets/[name]-[hash].js',
        chunkFileNames: 'assets/[name]-[hash].js',
        assetFileNames: 'assets/[name]-[hash][extname]',
        codeSplitting: {
          groups: [
            { name: 'vue-core', test: VUE_CORE, priority: 20 },
            { name: 'charts', test: CHARTS, priority: 10 },
          ],
        },
      },
    },
  },
  server: {
    // `npm run dev:admin` talks to a gateway on :3000 for the API.
    proxy: { '/api': 'http://127.0.0.1:3000' },
  },
})
