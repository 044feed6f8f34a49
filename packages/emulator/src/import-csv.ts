/**
 * The CSV dialect of Cognito's user import, as the developer guide's "Formatting the CSV file"
 * defines it — not RFC 4180: values are never quoted, a comma inside a value is written `\,`,
 * leading and trailing white space of a value is trimmed, the first row is the header, and the
 * file is UTF-8 without a byte order mark. At most 500,000 rows besides the header, 16,000
 * characters a row, 100 MB a file.
 * https://docs.aws.amazon.com/cognito/latest/developerguide/cognito-user-pools-using-import-tool-csv-header.html
 */

export const maxCsvBytes = 100 * 1024 * 1024;
export const maxCsvRows = 500_000;
export const maxRowLength = 16_000;

export interface CsvRow {
  /** The row's line in the file, the header being line 1 (how AWS's import log names rows). */
  readonly lineNumber: number;
  readonly values: readonly string[];
  /** The row as written, before it was split. */
  readonly length: number;
}

export interface ParsedCsv {
  readonly header: readonly string[];
  readonly rows: readonly CsvRow[];
}

/** A file the import cannot read at all: the job fails with this message. */
export class CsvFormatError extends Error {}

/** Splits one line at the commas that are not escaped with a backslash, trimming each value. */
export function splitLine(line: string): string[] {
  const values: string[] = [];
  let current = "";
  for (let i = 0; i < line.length; i++) {
    const char = line[i];
    if (char === "\\" && line[i + 1] === ",") {
      current += ",";
      i += 1;
    } else if (char === ",") {
      values.push(current.trim());
      current = "";
    } else {
      current += char;
    }
  }
  values.push(current.trim());
  return values;
}

/** Reads an uploaded file; blank lines are ignored. */
export function parseCsv(file: Buffer): ParsedCsv {
  if (file[0] === 0xef && file[1] === 0xbb && file[2] === 0xbf) {
    throw new CsvFormatError("The CSV file must be UTF-8 without a byte order mark.");
  }
  let text: string;
  try {
    text = new TextDecoder("utf-8", { fatal: true }).decode(file);
  } catch {
    throw new CsvFormatError("The CSV file is not valid UTF-8.");
  }
  const lines = text.split("\n");
  let header: string[] | null = null;
  const rows: CsvRow[] = [];
  lines.forEach((raw, index) => {
    const line = raw.endsWith("\r") ? raw.slice(0, -1) : raw;
    if (line.trim() === "") return;
    if (header === null) {
      header = splitLine(line);
      return;
    }
    rows.push({ lineNumber: index + 1, values: splitLine(line), length: line.length });
  });
  if (header === null) throw new CsvFormatError("The CSV file has no header row.");
  if (rows.length > maxCsvRows) {
    throw new CsvFormatError(`The CSV file has more than ${maxCsvRows} users.`);
  }
  return { header, rows };
}
