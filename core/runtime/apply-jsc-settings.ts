// Imported first by core/main.ts, so the restart happens before the gateway's modules load.
import { restartWithJscSettings } from './jsc-settings.ts'

restartWithJscSettings()
