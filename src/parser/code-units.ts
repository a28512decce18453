// The pre-pass's output buffer and character classes: the parse text as
// UTF-16 code units, written in place (blanked, or a word put over a word) so
// that no offset moves. Shared by the lexical mask and the macro scan.

export function isIdentStart(c: number): boolean {
  return (c >= 97 && c <= 122) || (c >= 65 && c <= 90) || c === 95;
}
export function isIdentChar(c: number): boolean {
  return isIdentStart(c) || (c >= 48 && c <= 57);
}

/** The parse text is UTF-16 code units: writes are cheap and decoding is one call. */
export type Out = Uint16Array;
export const SPACE = 32;

export function codeUnits(text: string): Out {
  // the native encoder, not a loop; a pooled Buffer may be oddly aligned
  const bytes = Buffer.from(text, 'utf16le');
  if (bytes.byteOffset % 2 === 0) return new Uint16Array(bytes.buffer, bytes.byteOffset, text.length);
  return new Uint16Array(new Uint8Array(bytes).buffer);
}

/** Replaces [from, to) with spaces, keeping newlines. */
export function blankOut(out: Out, from: number, to: number): void {
  for (let i = from; i < to; i++) if (out[i] !== 10 && out[i] !== 13) out[i] = SPACE;
}

export function put(out: Out, at: number, text: string): void {
  for (let i = 0; i < text.length; i++) out[at + i] = text.charCodeAt(i);
}

export const utf16 = new TextDecoder('utf-16le');
