import { parse } from 'csv-parse/sync';
import { CsvRecordSplitter, CsvSyntaxError } from '../../../api/imports/csv-records.js';

interface Split {
  records: string[][];
  lines: number[];
}

/** Splits `text` fed in chunks of `chunk` characters (every boundary position gets exercised). */
function split(text: string, chunk = text.length || 1, max = 1_000_000): Split {
  const records: string[][] = [];
  const lines: number[] = [];
  const splitter = new CsvRecordSplitter((fields, line) => {
    records.push(fields);
    lines.push(line);
  }, max);
  for (let i = 0; i < text.length; i += chunk) splitter.write(text.slice(i, i + chunk));
  splitter.end();
  return { records, lines };
}

function errorOf(text: string, chunk?: number, max?: number): CsvSyntaxError {
  try {
    split(text, chunk, max);
  } catch (error) {
    if (error instanceof CsvSyntaxError) return error;
    throw error;
  }
  throw new Error('no error');
}

/** csv-parse, configured as the importer used it, as the oracle for well-formed input. */
function oracle(text: string): string[][] {
  return parse(text, {
    record_delimiter: ['\r\n', '\n'],
    relax_column_count: true,
    skip_empty_lines: true,
  });
}

/** A pseudo-random generator with a fixed seed, so that a failure reproduces. */
function random(seed: number): () => number {
  let state = seed;
  return () => {
    state = (state * 1_103_515_245 + 12_345) % 2_147_483_648;
    return state / 2_147_483_648;
  };
}

function randomCsv(next: () => number): string {
  const pieces = ['a', 'b', ' ', 'é', '漢', '\t', '\r', ',', '"', '\n', '\r\n', 'x y'];
  const field = (): string => {
    const quoted = next() < 0.4;
    let value = '';
    const length = Math.floor(next() * 6);
    for (let i = 0; i < length; i += 1) {
      const piece = pieces[Math.floor(next() * pieces.length)] ?? 'a';
      if (!quoted && /[",\n]|\r$/.test(piece)) continue;
      value += piece;
    }
    if (!quoted && value.endsWith('\r')) value = value.slice(0, -1);
    return quoted ? `"${value.replaceAll('"', '""')}"` : value;
  };
  const records: string[] = [];
  const count = 1 + Math.floor(next() * 8);
  for (let r = 0; r < count; r += 1) {
    const width = 1 + Math.floor(next() * 4);
    let record = Array.from({ length: width }, field).join(',');
    // an unquoted record of one empty field is an empty line, which is skipped
    if (record === '') record = 'z';
    records.push(record);
  }
  const endings = records.map(() => (next() < 0.5 ? '\n' : '\r\n'));
  return records
    .map((record, i) => record + (i < records.length - 1 || next() < 0.5 ? (endings[i] ?? '\n') : ''))
    .join('');
}

describe('CSV records', () => {
  it('When records are plain, quoted, with doubled quotes and with line breaks inside quotes, then each field comes out as written', () => {
    const text = 'sourcedId,name\r\n1,"Lee, Ann"\n2,"say ""hi"""\n3,"two\nlines"\n4,\n';
    expect(split(text).records).toEqual([
      ['sourcedId', 'name'],
      ['1', 'Lee, Ann'],
      ['2', 'say "hi"'],
      ['3', 'two\nlines'],
      ['4', ''],
    ]);
  });

  it('When a record spans lines, then the records after it keep their own line numbers and empty lines are skipped but counted', () => {
    const text = 'h\n"a\nb"\n\nc\r\n\r\nd';
    expect(split(text)).toEqual({ records: [['h'], ['a\nb'], ['c'], ['d']], lines: [1, 2, 5, 7] });
  });

  it('When well-formed random CSV is fed in chunks of every size, then the records equal csv-parse’s', () => {
    const next = random(42);
    for (let sample = 0; sample < 400; sample += 1) {
      const text = randomCsv(next);
      const expected = oracle(text);
      for (const chunk of [1, 2, 3, 7, text.length || 1])
        expect({ text, chunk, records: split(text, chunk).records }).toEqual({
          text,
          chunk,
          records: expected,
        });
    }
  });

  it('When a quote stands inside an unquoted field, then it is a csv-syntax error naming the line and field', () => {
    const error = errorOf('a,b\n1,x"y\n');
    expect(error).toMatchObject({ rule: 'csv-syntax', line: 2 });
    expect(error.message).toContain('line 2, field 2: a quote inside an unquoted field');
  });

  it('When text follows a closing quote, then it is a csv-syntax error', () => {
    for (const chunk of [1, 100])
      expect(errorOf('a\n"x"y\n', chunk)).toMatchObject({ rule: 'csv-syntax', line: 2 });
  });

  it('When the file ends inside a quoted field, then the error names the line the field opened on', () => {
    const error = errorOf('a\nb\n"never\nclosed', 4);
    expect(error).toMatchObject({ rule: 'csv-syntax', line: 3 });
    expect(error.message).toContain('opened on line 3 is never closed');
  });

  it('When a record is longer than the limit, with or without quotes, then it stops the file as record-too-long before it is all held', () => {
    expect(errorOf(`a\n${'x'.repeat(100)}`, 10, 50)).toMatchObject({ rule: 'record-too-long', line: 2 });
    expect(errorOf(`a\n"${'x'.repeat(100)}`, 10, 50)).toMatchObject({ rule: 'record-too-long', line: 2 });
    expect(split(`a\n${'x'.repeat(50)}\n`, 10, 50).records).toEqual([['a'], ['x'.repeat(50)]]);
  });

  it('When a lone carriage return stands inside a field, then it is data, not a line break', () => {
    expect(split('a,b\r\nx\ry,z\r\n').records).toEqual([
      ['a', 'b'],
      ['x\ry', 'z'],
    ]);
  });
});
