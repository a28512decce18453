// mbox-reader ships no types; the part mnlint uses.
declare module 'mbox-reader' {
  export interface MboxMessage {
    returnPath: string;
    time: Date | false;
    content: Buffer;
    headers: Map<string, string[]>;
  }
  export function mboxReader(input: NodeJS.ReadableStream, options?: { gz?: boolean }): AsyncGenerator<MboxMessage>;
}
