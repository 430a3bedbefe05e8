/**
 * A spreadsheet as the member import reads it: its rows in order, each with the row number the person sees in
 * Excel (1 = the first line), so every error names a row they can find. CSV and xlsx both become this
 * (csv-table.ts here; the xlsx reader is the hub's, hub/members-import/decode-member-file.ts).
 */
export interface SheetRow {
  /** 1-based, as Excel numbers rows (a CSV record's first line). */
  rowNumber: number;
  cells: string[];
}
