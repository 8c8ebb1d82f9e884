import { defineMessages } from '../define-messages.ts'

/** Page names, as the menu and each page's title show them. */
export default defineMessages({
  en: {
    overview: 'Overview', playground: 'Playground', tokens: 'API keys', logs: 'Logs', models: 'Models & pricing', profile: 'My account', topup: 'Top up',
    channels: 'Channels', users: 'Users', redemptions: 'Redemption codes', settings: 'Settings', plugins: 'Plugins',
    groupConsole: 'Console', groupAdmin: 'Administration',
  },
  'zh-CN': {
    overview: '概览', playground: '操练场', tokens: 'API 令牌', logs: '日志', models: '模型与价格', profile: '个人设置', topup: '充值',
    channels: '渠道', users: '用户', redemptions: '兑换码', settings: '系统设置', plugins: '插件',
    groupConsole: '控制台', groupAdmin: '管理',
  },
  'zh-TW': {
    overview: '總覽', playground: '測試場', tokens: 'API 金鑰', logs: '日誌', models: '模型與價格', profile: '個人設定', topup: '儲值',
    channels: '管道', users: '使用者', redemptions: '兌換碼', settings: '系統設定', plugins: '外掛',
    groupConsole: '主控台', groupAdmin: '管理',
  },
  fr: {
    overview: 'Vue d’ensemble', playground: 'Bac à sable', tokens: 'Clés d’API', logs: 'Journaux', models: 'Modèles et tarifs', profile: 'Mon compte', topup: 'Recharger',
    channels: 'Canaux', users: 'Utilisateurs', redemptions: 'Codes de recharge', settings: 'Paramètres', plugins: 'Plugins',
    groupConsole: 'Console', groupAdmin: 'Administration',
  },
  ja: {
    overview: '概要', playground: 'プレイグラウンド', tokens: 'API キー', logs: 'ログ', models: 'モデルと料金', profile: 'アカウント', topup: 'チャージ',
    channels: 'チャネル', users: 'ユーザー', redemptions: '引換コード', settings: 'システム設定', plugins: 'プラグイン',
    groupConsole: 'コンソール', groupAdmin: '管理',
  },
})
