// Filter modes for findings on a change: `new` (the default) compares the
// pre-image with the post-image; the others are reviewdog's. Kept apart from
// review.ts so the CLI can validate --filter without loading the review code.
export type Filter = 'new' | 'added' | 'diff_context' | 'file' | 'nofilter';
export const FILTERS: readonly Filter[] = ['new', 'added', 'diff_context', 'file', 'nofilter'];
export const DEFAULT_FILTER: Filter = 'new';
