import { computed, ref, type ComputedRef, type Ref } from 'vue'
import type { SelectOption } from 'naive-ui'
import { api } from '../../api/client.ts'
import { unwrap } from '../../api/errors.ts'
import { chooseModel } from './model-choice.ts'

// The model menu of a playground card (chat, images, speech): the models the signed-in user may call
// there, loaded from the card's own list route, with the load's failure and progress for the card's
// error and empty states. The chosen model is kept when the new list still offers it, else the first
// one the list offers that the card prefers (a remembered choice), else the list's first.

/** The routes that list a playground card's models; each answers the user's group and its models. */
export type PlaygroundModelsPath = '/api/playground/models' | '/api/playground/image-models' | '/api/playground/speech-models'

/** What a card shows of its model list. */
export interface PlaygroundModels {
  /** The models offered, sorted as the gateway sent them. */
  models: Ref<string[]>
  /** The same models as menu options. */
  options: ComputedRef<SelectOption[]>
  /** The group the calls are routed and priced in (the user's). */
  group: Ref<string>
  /** True until a load has answered. */
  loading: Ref<boolean>
  /** Why the last load failed, or undefined when it did not. */
  failure: Ref<unknown>
  /** Loads the list again (the error state's retry). */
  load(): Promise<void>
}

/** Loads `path`'s models now and keeps `selected` on one of them; `preferred` names a choice to restore. */
export function usePlaygroundModels(path: PlaygroundModelsPath, selected: Ref<string | null>, preferred?: () => string | null): PlaygroundModels {
  const models = ref<string[]>([])
  const group = ref('')
  const loading = ref(true)
  const failure = ref<unknown>()

  async function load(): Promise<void> {
    loading.value = true
    try {
      const result = await unwrap(api.GET(path))
      models.value = result.items
      group.value = result.group
      failure.value = undefined
      selected.value = chooseModel(result.items, selected.value, preferred?.() ?? null)
    } catch (error) {
      failure.value = error
    } finally {
      loading.value = false
    }
  }
  void load()

  const options = computed<SelectOption[]>(() => models.value.map((id) => ({ value: id, label: id })))
  return { models, options, group, loading, failure, load }
}
