import { createApp } from 'vue'
import { createPinia } from 'pinia'
import App from './App.vue'
import { i18n } from './i18n/index.ts'
import { router } from './router.ts'
import './styles.css'

// The dashboard's entry: stores, messages and routes; every page loads on first visit.
createApp(App).use(createPinia()).use(i18n).use(router).mount('#app')
