// CSV cells for the Import view's result download: RFC 4180 quoting, and cells neutralised against
// formula injection as OWASP's "CSV Injection" guidance says. A name such as =HYPERLINK(…) or
// @SUM(…) comes from the uploaded spreadsheet (or from SenseLink's messages); written back as it
// is, Excel would run it as a formula when the result is opened. No imports: a page module that
// Node can load on its own (the admin tier tests this very file).

/** The first characters that make a spreadsheet read a cell as a formula (OWASP's list). */
const FORMULA_START = /^[=+\-@\t\r]/u;

/**
 * One CSV field. A cell starting with `=`, `+`, `-`, `@`, a tab or a carriage return is prefixed
 * with a single quote and quoted (`"'=1+2"`), so spreadsheets show it as text; as OWASP
 * recommends, this holds for every such cell — a phone number `+81 90…` too (Excel would otherwise
 * read it as a number or a formula and change it). Other cells are quoted when they hold a comma,
 * a quote or a line break; quotes are doubled.
 */
export function csvField(value) {
  const text = value === null || value === undefined ? "" : String(value);
  if (FORMULA_START.test(text)) return `"'${text.replaceAll('"', '""')}"`;
  return /[",\r\n]/u.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
}

/** A CSV file of `rows` (arrays of cells): UTF-8 with a BOM and CRLF line ends, so Excel opens
 * it with the Japanese intact. */
export function csvText(rows) {
  return `\ufeff${rows.map((cells) => cells.map(csvField).join(",")).join("\r\n")}\r\n`;
}
