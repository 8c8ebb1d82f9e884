// A plugin module that exists but fails while importing: the loader must report the failure, not a missing file.
throw new Error('network at import time is not allowed')
