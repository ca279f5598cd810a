import { Transform, type TransformCallback } from 'node:stream';
import { FileContentError } from './text-streams.js';

/** A record the file's CSV syntax does not allow; `line` is where the record starts. */
export class CsvSyntaxError extends FileContentError {
  constructor(
    message: string,
    rule: 'csv-syntax' | 'record-too-long',
    readonly line: number,
  ) {
    super(message, rule);
    this.name = 'CsvSyntaxError';
  }
}

const QUOTE = 34; // "
const COMMA = 44; // ,
const LF = 10; // \n
const CR = 13; // \r

/** Where a quoted-record scan stopped: the record's end, or the need for more text. */
type Scan = { fields: string[]; next: number; lines: number } | undefined;

/**
 * Splits CSV text into records as RFC 4180 has them (`,` between fields; `"` quoting with `""`
 * for a quote; records end with LF or CRLF, also mixed within a file; empty lines skipped), fed
 * in chunks of any size. Records without a quote, nearly all of a roster file, are split by
 * `indexOf`/`split`, several times faster than a character-by-character parser; the rest go
 * through one. A record longer than `maxRecordChars` stops the file instead of filling memory.
 */
export class CsvRecordSplitter {
  #text = '';
  #pos = 0;
  /** index of the next `"` at or after #pos in #text, or #text.length when there is none */
  #nextQuote = 0;
  #line = 1;

  constructor(
    private readonly onRecord: (fields: string[], line: number) => void,
    private readonly maxRecordChars: number,
  ) {}

  /** The line the next record starts on (1-based). */
  get line(): number {
    return this.#line;
  }

  write(chunk: string): void {
    this.#text = this.#pos < this.#text.length ? this.#text.slice(this.#pos) + chunk : chunk;
    this.#pos = 0;
    this.#nextQuote = this.#findQuote(0);
    this.#split(false);
  }

  /** The end of the text: a last record without a line break is a record too. */
  end(): void {
    this.#split(true);
    this.#text = '';
    this.#pos = 0;
  }

  #findQuote(from: number): number {
    const at = this.#text.indexOf('"', from);
    return at < 0 ? this.#text.length : at;
  }

  #split(final: boolean): void {
    const text = this.#text;
    while (this.#pos < text.length) {
      const start = this.#pos;
      const first = text.charCodeAt(start);
      if (first === LF) {
        this.#pos = start + 1;
        this.#line += 1;
        continue;
      }
      if (first === CR && text.charCodeAt(start + 1) === LF) {
        this.#pos = start + 2;
        this.#line += 1;
        continue;
      }
      let newline = text.indexOf('\n', start);
      if (this.#nextQuote < start) this.#nextQuote = this.#findQuote(start);
      if (this.#nextQuote < (newline < 0 ? text.length : newline)) {
        const scan = this.#quoted(start, final);
        if (scan === undefined) break;
        this.#emit(scan.fields, start, scan.next);
        this.#pos = scan.next;
        this.#line += scan.lines;
        continue;
      }
      if (newline < 0) {
        if (!final) {
          this.#checkLength(start, text.length);
          break;
        }
        newline = text.length;
      }
      const end = newline > start && text.charCodeAt(newline - 1) === CR ? newline - 1 : newline;
      this.#emit(text.slice(start, end).split(','), start, end);
      this.#pos = newline + 1;
      this.#line += 1;
    }
  }

  #emit(fields: string[], start: number, end: number): void {
    this.#checkLength(start, end);
    this.onRecord(fields, this.#line);
  }

  #checkLength(start: number, end: number): void {
    if (end - start > this.maxRecordChars)
      throw new CsvSyntaxError(
        `a record is longer than ${this.maxRecordChars} characters (a missing line break or quote?); the file is read no further`,
        'record-too-long',
        this.#line,
      );
  }

  /** Scans one record that holds a quote; undefined when the text ends before the record does. */
  #quoted(start: number, final: boolean): Scan {
    const text = this.#text;
    const fields: string[] = [];
    let lines = 0;
    let i = start;
    for (;;) {
      if (text.charCodeAt(i) === QUOTE) {
        let value = '';
        let from = i + 1;
        for (;;) {
          const close = text.indexOf('"', from);
          if (close < 0) {
            if (!final) return this.#incomplete(start);
            throw new CsvSyntaxError(
              `a quoted field opened on line ${this.#line + lines} is never closed (the file ends inside it)`,
              'csv-syntax',
              this.#line,
            );
          }
          value += text.slice(from, close);
          if (close + 1 === text.length && !final) return this.#incomplete(start);
          if (text.charCodeAt(close + 1) === QUOTE) {
            value += '"';
            from = close + 2;
            continue;
          }
          i = close + 1;
          break;
        }
        for (let n = value.indexOf('\n'); n >= 0; n = value.indexOf('\n', n + 1)) lines += 1;
        fields.push(value);
      } else {
        let j = i;
        for (; j < text.length; j += 1) {
          const c = text.charCodeAt(j);
          if (c === COMMA || c === LF || (c === CR && text.charCodeAt(j + 1) === LF)) break;
          if (c === QUOTE)
            throw new CsvSyntaxError(
              `line ${this.#line + lines}, field ${fields.length + 1}: a quote inside an unquoted field (a field with a quote must be quoted whole, with the quote doubled: "a ""b"" c")`,
              'csv-syntax',
              this.#line,
            );
        }
        if (j === text.length && !final) return this.#incomplete(start);
        fields.push(text.slice(i, j));
        i = j;
      }
      // after a field: a comma, the record's end, or (only after a closing quote) anything else
      if (i >= text.length) {
        if (!final) return this.#incomplete(start);
        return { fields, next: i, lines: lines + 1 };
      }
      const c = text.charCodeAt(i);
      if (c === COMMA) {
        i += 1;
        if (i === text.length) {
          if (!final) return this.#incomplete(start);
          fields.push('');
          return { fields, next: i, lines: lines + 1 };
        }
        continue;
      }
      if (c === LF) return { fields, next: i + 1, lines: lines + 1 };
      if (c === CR && text.charCodeAt(i + 1) === LF) return { fields, next: i + 2, lines: lines + 1 };
      if (c === CR && i + 1 === text.length && !final) return this.#incomplete(start);
      throw new CsvSyntaxError(
        `line ${this.#line + lines}, field ${fields.length}: text after a closing quote (a quote inside a quoted field must be doubled: "")`,
        'csv-syntax',
        this.#line,
      );
    }
  }

  #incomplete(start: number): Scan {
    this.#checkLength(start, this.#text.length);
    return undefined;
  }
}

/** About the size of the chunks CsvToCopyText pushes (characters). */
const CHUNK_CHARS = 65_536;

/**
 * CSV text in, COPY text out: each record goes through `toCopyLine` (the header too, as the
 * first record); the lines it returns are joined into chunks of about 64 KB, the size
 * pg-copy-streams writes best.
 */
export class CsvToCopyText extends Transform {
  readonly splitter: CsvRecordSplitter;
  #parts: string[] = [];
  #size = 0;

  constructor(toCopyLine: (fields: string[], line: number) => string | null, maxRecordChars: number) {
    super({ decodeStrings: false, encoding: 'utf8' });
    this.splitter = new CsvRecordSplitter((fields, line) => {
      const copyLine = toCopyLine(fields, line);
      if (copyLine === null) return;
      this.#parts.push(copyLine);
      this.#size += copyLine.length;
    }, maxRecordChars);
  }

  override _transform(text: string, _encoding: BufferEncoding, callback: TransformCallback): void {
    try {
      this.splitter.write(text);
    } catch (error) {
      callback(error as Error);
      return;
    }
    if (this.#size >= CHUNK_CHARS) this.#pushParts();
    callback();
  }

  override _flush(callback: TransformCallback): void {
    try {
      this.splitter.end();
    } catch (error) {
      callback(error as Error);
      return;
    }
    if (this.#size > 0) this.#pushParts();
    callback();
  }

  #pushParts(): void {
    this.push(this.#parts.join(''));
    this.#parts = [];
    this.#size = 0;
  }
}
