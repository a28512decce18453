// The facts derived from Debian's Linux 6.12 (scripts/derive-facts.ts writes
// derived-6.12.json): what a scan whose tree lacks the kernel's core knows of
// the core's functions.
import type { DerivedTable } from '../facts-db.js';
import table from './derived-6.12.json' with { type: 'json' };

export const FALLBACK_DERIVED: DerivedTable = table as unknown as DerivedTable;
