// vite empties dist/ before every build; the Go embed needs dist/.keep to exist
// in a fresh clone (dist/* is ignored except that file), so put it back.
import { writeFileSync, mkdirSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'

const dist = join(dirname(fileURLToPath(import.meta.url)), '..', 'dist')
mkdirSync(dist, { recursive: true })
writeFileSync(join(dist, '.keep'), '')
