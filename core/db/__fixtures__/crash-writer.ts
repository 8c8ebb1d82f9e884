// Child process of pglite-crash.test.ts: opens the embedded database in the given directory and
// commits numbered batches of 20 rows as fast as it can, printing each batch number once its commit
// has returned, until the parent kills it with SIGKILL.
//   bun core/db/__fixtures__/crash-writer.ts <dataDir> <first batch number>

import { sql } from 'drizzle-orm'
import { openDatabase } from '../client.ts'

const [dataDir, firstBatch] = process.argv.slice(2)
if (!dataDir || !firstBatch) throw new Error('usage: crash-writer.ts <dataDir> <first batch number>')
const database = await openDatabase({ dataDir })
await database.db.execute(
  sql`create table if not exists crash_rows (batch integer not null, n integer not null, payload text not null, primary key (batch, n))`,
)
console.log('ready')
for (let batch = Number(firstBatch); ; batch += 1) {
  await database.db.transaction(async (tx) => {
    await tx.execute(sql`insert into crash_rows select ${batch}, n, repeat(md5(n::text || ${batch}::text), 16) from generate_series(1, 20) as n`)
    await tx.execute(sql`update crash_rows set payload = payload || 'x' where batch = ${batch} and n = 1`)
  })
  console.log(batch)
  // Checkpoints now and then, so some kills land in one.
  if (batch % 7 === 0) await database.db.execute(sql`checkpoint`)
}
