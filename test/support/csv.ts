// A minimal RFC 4180 reader, so tests check a CSV report's cells, not its text.

/** The cells of each row of `text` (rows end with CRLF; quoted cells may hold commas, quotes and newlines). */
export function csvRows(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  const re = /("(?:[^"]|"")*"|[^,\r\n]*)(,|\r\n)/g;
  for (let m; (m = re.exec(text)); ) {
    row.push(m[1].startsWith('"') ? m[1].slice(1, -1).replace(/""/g, '"') : m[1]);
    if (m[2] === "\r\n") {
      rows.push(row);
      row = [];
    }
  }
  return rows;
}
