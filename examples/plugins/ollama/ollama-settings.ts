import { Type } from '@sinclair/typebox'

/** The settings of an Ollama channel, rendered as the dashboard's channel form, labels translated (`x-i18n`). */
export const OllamaSettings = Type.Object(
  {
    keepAlive: Type.Optional(
      Type.String({
        title: 'Keep alive',
        description: 'How long Ollama keeps the model loaded after a call (keep_alive), e.g. 5m, 1h, 0 or -1',
        pattern: '^(-1|0|[0-9]+(\\.[0-9]+)?(ms|s|m|h))$',
        'x-i18n': {
          fr: {
            title: 'Maintien en mémoire',
            description: 'Durée pendant laquelle Ollama garde le modèle chargé après un appel (keep_alive), p. ex. 5m, 1h, 0 ou -1',
          },
          ja: { title: 'キープアライブ', description: '呼び出し後に Ollama がモデルを読み込んだままにする時間（keep_alive）。例: 5m、1h、0、-1' },
          'zh-CN': { title: '保持加载', description: '调用后 Ollama 保持模型加载的时长（keep_alive），例如 5m、1h、0 或 -1' },
          'zh-TW': { title: '保持載入', description: '呼叫後 Ollama 保持模型載入的時長（keep_alive），例如 5m、1h、0 或 -1' },
        },
      }),
    ),
  },
  { additionalProperties: false },
)
