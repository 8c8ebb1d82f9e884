import { Type } from '@sinclair/typebox'

/** The settings of a Dify channel, rendered as the dashboard's channel form. */
export const DifySettings = Type.Object(
  {
    userPrefix: Type.Optional(
      Type.String({
        title: 'User prefix',
        description: "Put before the Dify `user` of every call (the client's `user`, or `gateway`), to tell this gateway's users apart in Dify's logs",
        maxLength: 64,
        'x-i18n': {
          fr: { title: "Préfixe d'utilisateur", description: 'Ajouté devant le `user` Dify de chaque appel (le `user` du client, sinon `gateway`)' },
          ja: { title: 'ユーザー接頭辞', description: '各呼び出しの Dify `user`(クライアントの `user`、なければ `gateway`)の前に付けます' },
          zh: { title: '用户前缀', description: '加在每次调用的 Dify `user` 前面(客户端的 `user`,否则为 `gateway`)' },
        },
      }),
    ),
    inputs: Type.Optional(
      Type.Record(Type.String(), Type.String(), {
        title: 'Default inputs',
        description: "Values of the app's input variables sent with every call (Dify's `inputs`), as text",
        'x-i18n': {
          fr: { title: 'Entrées par défaut', description: "Valeurs des variables d'entrée de l'application envoyées à chaque appel (`inputs`)" },
          ja: { title: '既定の入力', description: '毎回送るアプリの入力変数の値(Dify の `inputs`)' },
          zh: { title: '默认输入', description: '每次调用都发送的应用输入变量值(Dify 的 `inputs`)' },
        },
      }),
    ),
  },
  { additionalProperties: false },
)
