// The first hub-admin key (SPEC §2): CARAVAN_ADMIN_KEY when set; otherwise, on the first start
// against a hub with no hub-admin key at all, a generated one kept in the state dir and printed once.
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { generateApiKey, looksLikeApiKey } from './api-key.js';
import type { KeyStore } from './key-store.js';

/** The pseudo-agency of hub-admin keys: the hub operator, not a member agency. */
export const HUB_AGENCY = 'HUB';
/** The file in the state dir that holds a generated first admin key. */
export const ADMIN_KEY_FILE = 'admin-key';

/** What happened: nothing, a given key registered, or a key generated (its secret, to print once). */
export type AdminBootstrap =
  | { readonly kind: 'existing' }
  | { readonly kind: 'configured' }
  | { readonly kind: 'generated'; readonly key: string; readonly file: string };

export async function bootstrapAdminKey(
  keys: KeyStore,
  options: { adminKey?: string | undefined; stateDir: string },
): Promise<AdminBootstrap> {
  if (options.adminKey !== undefined) {
    if (!looksLikeApiKey(options.adminKey)) {
      throw new Error('CARAVAN_ADMIN_KEY must look like cvn_<16 to 128 base64url characters>');
    }
    await keys.register(options.adminKey, HUB_AGENCY, ['hub-admin']);
    return { kind: 'configured' };
  }
  const file = join(options.stateDir, ADMIN_KEY_FILE);
  const stored = await readFile(file, 'utf8').then(
    (text) => text.trim(),
    () => undefined,
  );
  if (stored !== undefined && looksLikeApiKey(stored)) {
    // A fresh database with an old state dir: the kept key stays valid, and is not printed again.
    await keys.register(stored, HUB_AGENCY, ['hub-admin']);
    return { kind: 'existing' };
  }
  if (await keys.anyActiveWithRole('hub-admin')) return { kind: 'existing' };
  const key = generateApiKey();
  await mkdir(options.stateDir, { recursive: true, mode: 0o700 });
  await writeFile(file, `${key}\n`, { mode: 0o600, flag: 'wx' });
  await keys.register(key, HUB_AGENCY, ['hub-admin']);
  return { kind: 'generated', key, file };
}
