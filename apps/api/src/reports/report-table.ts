/**
 * A statistics report as the federation's own report tables (统计报表): one table per topic, units as rows,
 * Chinese column headers first. The same tables are answered as JSON and rendered as `.xlsx` (one sheet per
 * table) or CSV by report-renderer.ts.
 */
export interface ReportColumn {
  /** Stable machine key of the column, also the JSON field name of each row. */
  key: string;
  /** Header in Chinese (the sheet's header row). */
  title: string;
  /** Header in English (`Accept-Language: en`). */
  titleEn: string;
  /** How the cells are written: a count, a ratio 0..1 shown as a percentage, an amount in yuan, days, or text. */
  kind: 'count' | 'ratio' | 'yuan' | 'days' | 'text';
}

export interface ReportTable {
  /** Sheet name and title, in Chinese (≤ 31 characters: an Excel sheet-name limit). */
  title: string;
  titleEn: string;
  columns: ReportColumn[];
  /** One row per org unit (first column the unit's name), and a total row last where it makes sense. */
  rows: Record<string, string | number | null>[];
}

export interface Report {
  /** e.g. 信访统计报表 */
  title: string;
  titleEn: string;
  /** The period the figures count, as given: inclusive dates in 北京时间 (YYYY-MM-DD). */
  period: { from: string; to: string };
  /** The org unit whose subtree the report covers. */
  orgUnit: string;
  tables: ReportTable[];
}
