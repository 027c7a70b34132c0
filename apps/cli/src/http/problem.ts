// RFC 9457 problem+json bodies rendered as the one line SPEC §10 asks for on stderr.

/** The fields of a problem document the CLI reads. */
export interface Problem {
  readonly type?: string;
  readonly title?: string;
  readonly status?: number;
  readonly detail?: string;
  readonly errors?: readonly { readonly path?: string; readonly message?: string }[];
}

const MAX_FIELD_ERRORS = 5;

/**
 * `412 Precondition Failed: stale version 2 (expected 3)` or, for a validation problem,
 * `400 Bad Request: items[0].quantity must be > 0; location.crossingPoint is not a crossing point …`.
 */
export function renderProblem(status: number, body: unknown, statusText = ''): string {
  const problem = isObject(body) ? (body as Problem) : undefined;
  const title = stringOr(problem?.title, statusText || 'HTTP error');
  const parts: string[] = [];
  const detail = stringOr(problem?.detail, typeof body === 'string' ? body.slice(0, 200) : '');
  if (detail && detail !== title) parts.push(detail);
  const errors = Array.isArray(problem?.errors) ? problem.errors : [];
  const listed = errors
    .slice(0, MAX_FIELD_ERRORS)
    .map((e) => `${e.path ? `${e.path} ` : ''}${e.message ?? 'is invalid'}`);
  if (errors.length > MAX_FIELD_ERRORS) listed.push(`and ${errors.length - MAX_FIELD_ERRORS} more`);
  if (listed.length > 0) parts.push(listed.join('; '));
  const text = `${status} ${title}${parts.length > 0 ? `: ${parts.join(': ')}` : ''}`;
  return text.replace(/\s*\n\s*/g, ' ');
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function stringOr(value: unknown, fallback: string): string {
  return typeof value === 'string' && value.trim() ? value.trim() : fallback;
}
