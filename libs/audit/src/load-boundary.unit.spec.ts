// The offline verifier must run where there is no database or NATS (SPEC §4, `caravan verify`):
// nothing this lib loads at run time may pull in a driver. Type-only imports vanish at compile time.
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const ALLOWED = /^(node:|\.\/|\.\.\/|@caravan\/domain$|@caravan\/contracts$)/;

function runtimeImports(file: string): string[] {
  const text = readFileSync(file, 'utf8');
  const found: string[] = [];
  for (const match of text.matchAll(/^import\s+(type\s+)?[^;]*?from\s+'([^']+)';/gms)) {
    if (!match[1]) found.push(match[2]!);
  }
  return found;
}

describe('@caravan/audit loads no database or NATS code', () => {
  it('imports at run time only node built-ins, its own files, @caravan/domain and @caravan/contracts', () => {
    const files = [
      ...readdirSync(here).filter((f) => f.endsWith('.ts') && !f.endsWith('.spec.ts')),
      ...readdirSync(join(here, 'migrations')).map((f) => join('migrations', f)),
    ];
    expect(files).toContain('verify-export.ts');
    const offending = files.flatMap((file) =>
      runtimeImports(join(here, file))
        .filter((source) => !ALLOWED.test(source))
        .map((source) => `${file}: ${source}`),
    );
    expect(offending).toEqual([]);
  });
});
