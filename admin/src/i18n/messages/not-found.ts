import { defineMessages } from '../define-messages.ts'

/** The page for addresses the dashboard does not know. */
export default defineMessages({
  en: { title: 'Page not found', description: 'The address may be mistyped, or the page has moved.', home: 'Back to the dashboard' },
  'zh-CN': { title: '页面不存在', description: '地址可能输入有误，或页面已被移动。', home: '返回控制台' },
  'zh-TW': { title: '找不到頁面', description: '網址可能有誤，或頁面已移動。', home: '返回主控台' },
  fr: { title: 'Page introuvable', description: 'L’adresse est peut-être mal saisie, ou la page a été déplacée.', home: 'Retour au tableau de bord' },
  ja: { title: 'ページが見つかりません', description: 'アドレスが間違っているか、ページが移動した可能性があります。', home: 'ダッシュボードに戻る' },
})
