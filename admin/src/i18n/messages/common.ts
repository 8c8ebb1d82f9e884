import { defineMessages } from '../define-messages.ts'

/** Words every page shares: product name, actions, list states. */
export default defineMessages({
  en: {
    productName: 'Hanggent API',
    actions: { save: 'Save', cancel: 'Cancel', retry: 'Try again', confirm: 'Confirm', create: 'Create', edit: 'Edit', delete: 'Delete', search: 'Search', refresh: 'Refresh', back: 'Back' },
    state: { loading: 'Loading…', empty: 'Nothing here yet', errorTitle: 'Something went wrong' },
    table: { total: '{total} in all' },
    yes: 'Yes',
    no: 'No',
  },
  'zh-CN': {
    productName: 'Hanggent API',
    actions: { save: '保存', cancel: '取消', retry: '重试', confirm: '确认', create: '新建', edit: '编辑', delete: '删除', search: '搜索', refresh: '刷新', back: '返回' },
    state: { loading: '加载中…', empty: '暂无数据', errorTitle: '出错了' },
    table: { total: '共 {total} 条' },
    yes: '是',
    no: '否',
  },
  'zh-TW': {
    productName: 'Hanggent API',
    actions: { save: '儲存', cancel: '取消', retry: '重試', confirm: '確認', create: '新增', edit: '編輯', delete: '刪除', search: '搜尋', refresh: '重新整理', back: '返回' },
    state: { loading: '載入中…', empty: '尚無資料', errorTitle: '發生錯誤' },
    table: { total: '共 {total} 筆' },
    yes: '是',
    no: '否',
  },
  fr: {
    productName: 'Hanggent API',
    actions: { save: 'Enregistrer', cancel: 'Annuler', retry: 'Réessayer', confirm: 'Confirmer', create: 'Créer', edit: 'Modifier', delete: 'Supprimer', search: 'Rechercher', refresh: 'Actualiser', back: 'Retour' },
    state: { loading: 'Chargement…', empty: 'Rien pour le moment', errorTitle: 'Une erreur est survenue' },
    table: { total: '{total} au total' },
    yes: 'Oui',
    no: 'Non',
  },
  ja: {
    productName: 'Hanggent API',
    actions: { save: '保存', cancel: 'キャンセル', retry: '再試行', confirm: '確認', create: '作成', edit: '編集', delete: '削除', search: '検索', refresh: '更新', back: '戻る' },
    state: { loading: '読み込み中…', empty: 'まだ何もありません', errorTitle: 'エラーが発生しました' },
    table: { total: '全 {total} 件' },
    yes: 'はい',
    no: 'いいえ',
  },
})
