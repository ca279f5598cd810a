import { Transform, type TransformCallback } from 'node:stream';

/** A problem with the bytes of a file (encoding, binary content): the file is read no further. */
export class FileContentError extends Error {
  constructor(
    message: string,
    readonly rule: string,
  ) {
    super(message);
    this.name = 'FileContentError';
  }
}

/**
 * Bytes to text, strictly UTF-8: invalid sequences, UTF-16 byte order marks and NUL bytes (binary
 * content) are errors instead of silently becoming U+FFFD. A UTF-8 BOM is dropped. Counts the
 * bytes read for progress.
 */
export class StrictUtf8Decoder extends Transform {
  readonly #decoder = new TextDecoder('utf-8', { fatal: true });
  #first = true;
  bytes = 0;

  constructor() {
    super({ readableObjectMode: false, decodeStrings: true, encoding: 'utf8' });
  }

  override _transform(chunk: Buffer, _encoding: BufferEncoding, callback: TransformCallback): void {
    if (this.#first && chunk.length >= 2) {
      this.#first = false;
      const b0 = chunk[0];
      const b1 = chunk[1];
      if ((b0 === 0xff && b1 === 0xfe) || (b0 === 0xfe && b1 === 0xff)) {
        callback(new FileContentError('the file is UTF-16; OneRoster CSV files must be UTF-8', 'encoding'));
        return;
      }
    }
    this.bytes += chunk.length;
    let text: string;
    try {
      text = this.#decoder.decode(chunk, { stream: true });
    } catch {
      callback(
        new FileContentError(
          `not valid UTF-8 (within bytes ${this.bytes - chunk.length}-${this.bytes}); OneRoster CSV files must be UTF-8`,
          'encoding',
        ),
      );
      return;
    }
    if (text.includes('\0')) {
      callback(new FileContentError('the file holds NUL bytes: binary data, not a CSV text file', 'binary'));
      return;
    }
    callback(null, text);
  }

  override _flush(callback: TransformCallback): void {
    try {
      const rest = this.#decoder.decode();
      callback(null, rest === '' ? undefined : rest);
    } catch {
      callback(new FileContentError('the file ends inside a UTF-8 character (truncated?)', 'encoding'));
    }
  }
}
