// Proves the architecture lint rules bite: the same framework import is an error inside
// libs/domain and libs/contracts, and allowed in an app.
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ESLint, Linter } from 'eslint';
import tseslint from 'typescript-eslint';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');
const fixture = readFileSync(join(root, 'libs/domain/lint-fixtures/forbidden-nest-import.ts'), 'utf8');

const eslint = new ESLint({ cwd: root });

// Takes the no-restricted-imports setting that the project's config gives this path and runs it
// alone: type-aware rules need a file on disk and a program, the boundary rule needs neither.
async function restrictedImportMessages(filePath: string, code: string): Promise<string[]> {
  const config = await eslint.calculateConfigForFile(join(root, filePath));
  const setting = config.rules['no-restricted-imports'];
  const linter = new Linter({ configType: 'flat' });
  const messages = linter.verify(
    code,
    [
      {
        files: ['**/*.ts'],
        languageOptions: { parser: tseslint.parser, sourceType: 'module' },
        rules: { 'no-restricted-imports': setting },
      },
    ],
    join(root, filePath),
  );
  return messages.map((m) => m.message);
}

describe('lint boundary', () => {
  it('refuses a @nestjs import in libs/domain', async () => {
    const messages = await restrictedImportMessages('libs/domain/src/probe.ts', fixture);
    expect(messages).toEqual([expect.stringContaining('plain TypeScript')]);
  }, 60_000);

  it('refuses pg, typeorm, nats and class-validator in libs/contracts', async () => {
    const code = [
      "import pg from 'pg';",
      "import 'typeorm';",
      "import '@nats-io/jetstream';",
      "import 'class-validator';",
    ].join('\n');
    const messages = await restrictedImportMessages('libs/contracts/src/probe.ts', code);
    expect(messages).toHaveLength(4);
  }, 60_000);

  it('allows the same import in an app, and refuses a deep lib path anywhere', async () => {
    expect(await restrictedImportMessages('apps/gateway/src/probe.ts', fixture)).toEqual([]);
    const deep = "import { x } from '@caravan/domain/src/sharing';\nexport { x };";
    expect(await restrictedImportMessages('apps/gateway/src/probe.ts', deep)).toEqual([
      expect.stringContaining('through its alias'),
    ]);
  }, 60_000);
});
