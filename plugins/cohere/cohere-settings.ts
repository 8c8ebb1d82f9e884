import { Type } from '@sinclair/typebox'

/** The settings of a Cohere channel, rendered as the dashboard's channel form, labels translated. */
export const CohereSettings = Type.Object({
  dropThinking: Type.Optional(
    Type.Boolean({
      title: 'Drop thinking',
      description: "Leave the model's thinking out of answers",
      default: false,
      'x-i18n': {
        fr: { title: 'Masquer la réflexion', description: 'Retire la réflexion du modèle des réponses' },
        ja: { title: '思考を省く', description: 'モデルの思考を回答から除きます' },
        zh: { title: '省略思考', description: '从回答中移除模型的思考内容' },
      },
    }),
  ),
})
