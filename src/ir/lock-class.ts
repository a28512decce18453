// Lock classes, as lockdep names them: not one lock object but every lock
// initialized at one place. mnlint has no init sites; it names a class by the
// lock's place in its struct, the member chain (`&obj->mm.lock` -> `mm.lock`)
// and the base's struct type when a parameter or a local declares it (a local
// set from `container_of(x, struct drv, member)` is declared `struct drv *`),
// or by a global's name. A lock reached through a pointer (`mutex_lock(m)`, `mutex_lock(x->m)`
// without `&`), an array element or a call's result has no class here.

/** A lock's class: the member chain of its struct, or a global's name. */
export interface LockClass {
  /** the member chain (`mm.lock`), or the global's name */
  readonly chain: string;
  /** the base's struct type (`drm_i915_gem_object`), when a parameter declares it */
  readonly type?: string;
  /** a global (or file-static) lock object: one class per name in a directory */
  readonly global?: { readonly dir: string };
}

const IDENT = /^[A-Za-z_]\w*$/;
const CHAIN = /^([A-Za-z_]\w*)((?:(?:->|\.)[A-Za-z_]\w*)+)$/;

/**
 * The class of a lock argument as written (`&obj->mm.lock`), in the function
 * whose parameters are `params`, defined in `file`; null when it has none.
 */
export function lockClassOf(written: string, params: ReadonlyArray<{ name: string; type: string }>, file: string): LockClass | null {
  let t = written.replace(/\s+/g, '');
  if (!t.startsWith('&')) return null;
  t = t.slice(1);
  while (t.startsWith('(') && t.endsWith(')')) t = t.slice(1, -1);
  if (IDENT.test(t)) {
    // a parameter or a local named so is an object of the caller's or on the stack: no class
    if (params.some((p) => p.name === t)) return null;
    return { chain: t, global: { dir: dirOf(file) } };
  }
  const m = CHAIN.exec(t);
  if (!m) return null;
  const chain = m[2]!.replace(/^(->|\.)/, '').replace(/->/g, '.');
  const param = params.find((p) => p.name === m[1]);
  const type = param ? /\bstruct\s+(\w+)/.exec(param.type)?.[1] : undefined;
  return type ? { chain, type } : { chain };
}

/** The class of a lock argument as written in a function: its parameters' and locals' declared types count. */
export function lockClassIn(
  written: string,
  fn: { readonly params: ReadonlyArray<{ name: string; type: string }>; readonly locals?: ReadonlyArray<{ name: string; type: string }>; readonly file: string },
): LockClass | null {
  return lockClassOf(written, fn.locals?.length ? [...fn.params, ...fn.locals] : fn.params, fn.file);
}

/**
 * Whether two classes are one. Two chains are one class when both bases'
 * types are known and equal, or, with a type unknown, when the chain has two
 * members or more (`mm.lock`: a single `lock` says too little of its struct).
 */
export function sameClass(a: LockClass, b: LockClass): boolean {
  if (a.chain !== b.chain) return false;
  if (a.global || b.global) return !!a.global && !!b.global && a.global.dir === b.global.dir;
  if (a.type && b.type) return a.type === b.type;
  return a.chain.includes('.');
}

/** How a class reads in a message: `struct drm_i915_gem_object.mm.lock`, `mm.lock`, `my_lock`. */
export function describeClass(c: LockClass): string {
  return c.type ? `struct ${c.type}.${c.chain}` : c.chain;
}

function dirOf(file: string): string {
  const i = file.lastIndexOf('/');
  return i < 0 ? '' : file.slice(0, i);
}
