import { defineMessages } from '../define-messages.ts'

/** The frame around every page: header controls and the menu drawer. */
export default defineMessages({
  en: {
    openMenu: 'Open the menu', language: 'Language', theme: 'Theme', themeLight: 'Light', themeDark: 'Dark', themeSystem: 'Same as the system',
    userMenu: 'Account menu', signOut: 'Sign out', signIn: 'Sign in', signedOut: 'You have been signed out. Please sign in again.',
    role: { user: 'User', admin: 'Administrator', root: 'Owner' },
  },
  'zh-CN': {
    openMenu: '打开菜单', language: '语言', theme: '主题', themeLight: '浅色', themeDark: '深色', themeSystem: '跟随系统',
    userMenu: '账户菜单', signOut: '退出登录', signIn: '登录', signedOut: '登录已失效，请重新登录。',
    role: { user: '普通用户', admin: '管理员', root: '超级管理员' },
  },
  'zh-TW': {
    openMenu: '開啟選單', language: '語言', theme: '主題', themeLight: '淺色', themeDark: '深色', themeSystem: '跟隨系統',
    userMenu: '帳戶選單', signOut: '登出', signIn: '登入', signedOut: '登入已失效，請重新登入。',
    role: { user: '一般使用者', admin: '管理員', root: '超級管理員' },
  },
  fr: {
    openMenu: 'Ouvrir le menu', language: 'Langue', theme: 'Thème', themeLight: 'Clair', themeDark: 'Sombre', themeSystem: 'Comme le système',
    userMenu: 'Menu du compte', signOut: 'Se déconnecter', signIn: 'Se connecter', signedOut: 'Vous avez été déconnecté. Veuillez vous reconnecter.',
    role: { user: 'Utilisateur', admin: 'Administrateur', root: 'Propriétaire' },
  },
  ja: {
    openMenu: 'メニューを開く', language: '言語', theme: 'テーマ', themeLight: 'ライト', themeDark: 'ダーク', themeSystem: 'システムに合わせる',
    userMenu: 'アカウントメニュー', signOut: 'ログアウト', signIn: 'ログイン', signedOut: 'ログインの有効期限が切れました。もう一度ログインしてください。',
    role: { user: '一般ユーザー', admin: '管理者', root: 'オーナー' },
  },
})
