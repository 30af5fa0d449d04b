// Actual Budget's own import (@actual-app/api, local budget, no server) on the same
// rows as bench/imports: importTransactions runs Actual's dedupe and rules.
//
//   cd bench/imports/actual && npm install && npm rebuild better-sqlite3
//   node bench_actual.mjs /tmp/hl-bench-imports/plain-100000.csv
//
// Prints one JSON line: rows, seconds for the first import, seconds for the same rows
// again (all duplicates), peak RSS.
import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { performance } from "node:perf_hooks";
import * as api from "@actual-app/api";

const file = process.argv[2];
const lines = readFileSync(file, "utf8").trim().split(/\r?\n/).slice(1);
const rows = lines.map((line) => {
  // gen_csv.py --style plain: Date,Payee,Memo,Amount,Transaction ID (no quoted commas)
  const [date, payee, memo, amount, id] = line.split(",");
  return {
    date,
    amount: Math.round(Number(amount) * 100),
    payee_name: payee,
    notes: memo,
    imported_id: id,
  };
});

const dataDir = mkdtempSync(join(tmpdir(), "actual-bench-"));
await api.init({ dataDir });
let first = 0;
let again = 0;
await api.runImport(`bench-${Date.now()}`, async () => {
  const account = await api.createAccount({ name: "Checking" }, 0);
  let start = performance.now();
  await api.importTransactions(account, rows);
  first = (performance.now() - start) / 1000;
  start = performance.now();
  await api.importTransactions(account, rows);
  again = (performance.now() - start) / 1000;
});
await api.shutdown();
console.log(
  JSON.stringify({
    tool: "actual",
    rows: rows.length,
    seconds: Number(first.toFixed(2)),
    again_seconds: Number(again.toFixed(2)),
    rows_per_s: Math.round(rows.length / first),
    peak_mb: Math.round(process.resourceUsage().maxRSS / 1024),
  }),
);
