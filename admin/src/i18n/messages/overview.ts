import { defineMessages } from '../define-messages.ts'

/** The overview (home) page: usage totals, live rate, charts, announcement. */
export default defineMessages({
  en: {
    descriptionAdmin: 'Traffic, tokens and spending across the whole installation.',
    descriptionUser: 'Your requests, tokens and spending.',
    range: { label: 'Time range', today: 'Today', last7: '7 days', last30: '30 days', custom: 'Custom', start: 'First day', end: 'Last day', summary: 'From {from} to {to}' },
    announcement: 'Announcement',
    cards: {
      requests: 'Requests', tokens: 'Tokens', tokensDetail: '{prompt} prompt · {completion} completion', cost: 'Cost', live: 'Last minute',
      rpm: 'RPM', tpm: '{value} tokens per minute', tpmEstimated: 'about {value} tokens per minute',
    },
    metric: { label: 'Charts show', requests: 'Requests', tokens: 'Tokens', cost: 'Cost (USD)' },
    charts: {
      overTime: 'Over time', overTimeLabel: '{metric} over time', byModel: 'By model', byModelLabel: '{metric} by model',
      topUsers: 'Top users', topChannels: 'Top channels', topKeys: 'Top API keys', other: 'Other', noData: 'Nothing in this range',
    },
    names: { noModel: '(no model)', playground: 'Playground', user: 'User #{id}', channel: 'Channel #{id}', token: 'Key #{id}' },
    empty: {
      title: 'No traffic yet',
      adminHint: 'Add a channel to an upstream provider and create an API key; requests made with the key show up here.',
      userHint: 'Create an API key and send a request with it, or try a model in the playground; your usage shows up here.',
      addChannel: 'Add a channel', createKey: 'Create an API key', tryPlayground: 'Open the playground',
    },
  },
  'zh-CN': {
    descriptionAdmin: '整个站点的请求、令牌用量与花费。',
    descriptionUser: '你的请求、令牌用量与花费。',
    range: { label: '时间范围', today: '今天', last7: '7 天', last30: '30 天', custom: '自定义', start: '开始日期', end: '结束日期', summary: '{from} 至 {to}' },
    announcement: '公告',
    cards: {
      requests: '请求数', tokens: 'Token 数', tokensDetail: '输入 {prompt} · 输出 {completion}', cost: '花费', live: '最近一分钟',
      rpm: 'RPM', tpm: '每分钟 {value} 个 Token', tpmEstimated: '每分钟约 {value} 个 Token',
    },
    metric: { label: '图表显示', requests: '请求数', tokens: 'Token 数', cost: '花费（美元）' },
    charts: {
      overTime: '趋势', overTimeLabel: '{metric}随时间变化', byModel: '按模型', byModelLabel: '按模型划分的{metric}',
      topUsers: '用户排行', topChannels: '渠道排行', topKeys: 'API 令牌排行', other: '其他', noData: '该时间范围内没有数据',
    },
    names: { noModel: '（无模型）', playground: '操练场', user: '用户 #{id}', channel: '渠道 #{id}', token: '令牌 #{id}' },
    empty: {
      title: '还没有请求',
      adminHint: '添加一个连接上游服务商的渠道并创建 API 令牌；用该令牌发出的请求会显示在这里。',
      userHint: '创建 API 令牌并用它发送请求，或在操练场中试用模型；你的用量会显示在这里。',
      addChannel: '添加渠道', createKey: '创建 API 令牌', tryPlayground: '打开操练场',
    },
  },
  'zh-TW': {
    descriptionAdmin: '整個站台的請求、Token 用量與花費。',
    descriptionUser: '你的請求、Token 用量與花費。',
    range: { label: '時間範圍', today: '今天', last7: '7 天', last30: '30 天', custom: '自訂', start: '開始日期', end: '結束日期', summary: '{from} 至 {to}' },
    announcement: '公告',
    cards: {
      requests: '請求數', tokens: 'Token 數', tokensDetail: '輸入 {prompt} · 輸出 {completion}', cost: '花費', live: '最近一分鐘',
      rpm: 'RPM', tpm: '每分鐘 {value} 個 Token', tpmEstimated: '每分鐘約 {value} 個 Token',
    },
    metric: { label: '圖表顯示', requests: '請求數', tokens: 'Token 數', cost: '花費（美元）' },
    charts: {
      overTime: '趨勢', overTimeLabel: '{metric}隨時間變化', byModel: '依模型', byModelLabel: '依模型劃分的{metric}',
      topUsers: '使用者排行', topChannels: '管道排行', topKeys: 'API 金鑰排行', other: '其他', noData: '此時間範圍內沒有資料',
    },
    names: { noModel: '（無模型）', playground: '測試場', user: '使用者 #{id}', channel: '管道 #{id}', token: '金鑰 #{id}' },
    empty: {
      title: '尚無請求',
      adminHint: '新增一個連接上游服務商的管道並建立 API 金鑰；用該金鑰發出的請求會顯示在這裡。',
      userHint: '建立 API 金鑰並用它傳送請求，或在測試場中試用模型；你的用量會顯示在這裡。',
      addChannel: '新增管道', createKey: '建立 API 金鑰', tryPlayground: '開啟測試場',
    },
  },
  fr: {
    descriptionAdmin: 'Trafic, jetons et dépenses de toute l’installation.',
    descriptionUser: 'Vos requêtes, jetons et dépenses.',
    range: { label: 'Période', today: 'Aujourd’hui', last7: '7 jours', last30: '30 jours', custom: 'Personnalisée', start: 'Premier jour', end: 'Dernier jour', summary: 'Du {from} au {to}' },
    announcement: 'Annonce',
    cards: {
      requests: 'Requêtes', tokens: 'Jetons', tokensDetail: '{prompt} en entrée · {completion} en sortie', cost: 'Coût', live: 'Dernière minute',
      rpm: 'req./min', tpm: '{value} jetons par minute', tpmEstimated: 'environ {value} jetons par minute',
    },
    metric: { label: 'Les graphiques montrent', requests: 'Requêtes', tokens: 'Jetons', cost: 'Coût (USD)' },
    charts: {
      overTime: 'Dans le temps', overTimeLabel: '{metric} dans le temps', byModel: 'Par modèle', byModelLabel: '{metric} par modèle',
      topUsers: 'Principaux utilisateurs', topChannels: 'Principaux canaux', topKeys: 'Principales clés d’API', other: 'Autres', noData: 'Rien sur cette période',
    },
    names: { noModel: '(aucun modèle)', playground: 'Bac à sable', user: 'Utilisateur n° {id}', channel: 'Canal n° {id}', token: 'Clé n° {id}' },
    empty: {
      title: 'Aucun trafic pour l’instant',
      adminHint: 'Ajoutez un canal vers un fournisseur et créez une clé d’API ; les requêtes faites avec la clé apparaîtront ici.',
      userHint: 'Créez une clé d’API et envoyez une requête avec, ou essayez un modèle dans le bac à sable ; votre consommation apparaîtra ici.',
      addChannel: 'Ajouter un canal', createKey: 'Créer une clé d’API', tryPlayground: 'Ouvrir le bac à sable',
    },
  },
  ja: {
    descriptionAdmin: 'インストール全体のリクエスト、トークン、費用。',
    descriptionUser: 'あなたのリクエスト、トークン、費用。',
    range: { label: '期間', today: '今日', last7: '7 日間', last30: '30 日間', custom: 'カスタム', start: '開始日', end: '終了日', summary: '{from} 〜 {to}' },
    announcement: 'お知らせ',
    cards: {
      requests: 'リクエスト', tokens: 'トークン', tokensDetail: '入力 {prompt} · 出力 {completion}', cost: '費用', live: '直近 1 分',
      rpm: 'RPM', tpm: '毎分 {value} トークン', tpmEstimated: '毎分約 {value} トークン',
    },
    metric: { label: 'グラフの表示', requests: 'リクエスト', tokens: 'トークン', cost: '費用（USD）' },
    charts: {
      overTime: '推移', overTimeLabel: '{metric}の推移', byModel: 'モデル別', byModelLabel: 'モデル別の{metric}',
      topUsers: '上位ユーザー', topChannels: '上位チャネル', topKeys: '上位 API キー', other: 'その他', noData: 'この期間にはデータがありません',
    },
    names: { noModel: '（モデルなし）', playground: 'プレイグラウンド', user: 'ユーザー #{id}', channel: 'チャネル #{id}', token: 'キー #{id}' },
    empty: {
      title: 'まだトラフィックがありません',
      adminHint: '上流プロバイダーへのチャネルを追加し、API キーを作成してください。そのキーでのリクエストがここに表示されます。',
      userHint: 'API キーを作成してリクエストを送るか、プレイグラウンドでモデルを試してください。利用状況がここに表示されます。',
      addChannel: 'チャネルを追加', createKey: 'API キーを作成', tryPlayground: 'プレイグラウンドを開く',
    },
  },
})
