/**
 * Account id fields that cannot come from AWS. AWS writes an account id as digits only (12 of
 * them); an id that lost leading zeros, or a test file's 6- or 13-digit id, is still digits and is
 * read as given with a warning (warnings.ts). Anything else is refused:
 *
 * - `scientific`: `3.57E+11`, what a spreadsheet writes for a 12-digit number it saved; the
 *   digits past the third are gone, so no account can be told apart from another;
 * - `not-digits`: letters, spaces or markup (`<script>…`, `=HYPERLINK(…)`), never written by AWS.
 */
export type AccountIdFault = 'scientific' | 'not-digits';

const DIGITS = /^\d+$/;
const SCIENTIFIC = /^[+-]?\d+(\.\d+)?[eE][+-]?\d+$/;

/** Why an id field cannot be an AWS account id; undefined for digits and for an empty field. */
export function accountIdFault(id: string | null | undefined): AccountIdFault | undefined {
  if (id === null || id === undefined || id === '' || DIGITS.test(id)) return undefined;
  return SCIENTIFIC.test(id) ? 'scientific' : 'not-digits';
}

/** The id as a message shows it: quoted, control characters escaped, at most 40 characters. */
const shown = (id: string): string => {
  const quoted = JSON.stringify(id.length > 40 ? `${id.slice(0, 39)}…` : id);
  return quoted.replace(
    /[\u007f-\u009f\u2028\u2029]/g,
    (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`,
  );
};

/** The one-line reason a file with such an id is refused; `where` is e.g. `line 7`. */
export function accountIdProblem(id: string, fault: AccountIdFault, where: string): string {
  if (fault === 'scientific') {
    return `${where}: account id ${shown(id)} is in scientific notation (a spreadsheet saved this file and lost the id's digits): use the file as AWS delivered it`;
  }
  return `${where}: account id ${shown(id)} is not an AWS account id (letters or markup, not digits)`;
}
