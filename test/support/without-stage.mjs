// Test-only composition control for the e2e suite ("fails if any one stage is left out"): run the
// real `caravan up` with some of its apps replaced by a stand-in that starts nothing.
//
//   CARAVAN_E2E_WITHOUT=aggregator node --import ./test/support/without-stage.mjs bin/caravan.js up
//
// apps/cli/src/hub/compose.ts imports each app's `<app>.app.js` by path and calls its start<App>; the
// module hook below answers those imports, for the listed apps only, with a module whose start
// function returns a handle and nothing else. Nothing in apps/ knows about it.
import { register } from 'node:module';

const without = (process.env.CARAVAN_E2E_WITHOUT ?? '')
  .split(',')
  .map((s) => s.trim())
  .filter(Boolean);
register('./without-stage.hooks.mjs', { parentURL: import.meta.url, data: { without } });
