// reviewdog's filter modes for findings on a change; kept apart from
// review.ts so the CLI can validate --filter without loading the review code.
export type Filter = 'added' | 'diff_context' | 'file' | 'nofilter';
export const FILTERS: readonly Filter[] = ['added', 'diff_context', 'file', 'nofilter'];
