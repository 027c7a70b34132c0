// Feed type filters (`GET /v1/feed?types=seizure.*,threat.alert.issued`) as SQL LIKE patterns, so the
// filter runs in the database and a page is always full when enough matching copies exist.

/** `*` matches any run of characters; everything else is literal. */
export function globToLike(glob: string): string {
  return glob.replace(/[\\%_]/g, (c) => `\\${c}`).replace(/\*/g, '%');
}
