import { Type } from '@sinclair/typebox'

/** The settings of a Quillon channel, rendered as the dashboard's channel form, labels translated (`x-i18n`). */
export const QuillonSettings = Type.Object(
  {
    project: Type.Optional(
      Type.String({
        title: 'Project',
        description: 'Quillon project the calls are billed to (sent as X-Quillon-Project)',
        maxLength: 64,
        'x-i18n': {
          fr: { title: 'Projet', description: 'Projet Quillon auquel les appels sont facturés (envoyé en X-Quillon-Project)' },
          ja: { title: 'プロジェクト', description: '呼び出しを請求する Quillon のプロジェクト（X-Quillon-Project として送信）' },
          'zh-CN': { title: '项目', description: '调用计费所属的 Quillon 项目（以 X-Quillon-Project 发送）' },
          'zh-TW': { title: '專案', description: '呼叫計費所屬的 Quillon 專案（以 X-Quillon-Project 傳送）' },
        },
      }),
    ),
  },
  { additionalProperties: false },
)
