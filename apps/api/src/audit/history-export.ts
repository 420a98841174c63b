import type { OrgDirectory } from '@hearth/domain';
import type { CaseHistory, HistoryEntry } from '../history/case-history.service';

/** Who asked for an export and when: printed on it. */
export interface ExportContext {
  org: OrgDirectory;
  /** ISO instant (domain clock). */
  generatedAt: string;
  generatedBy: string;
  accuserRedacted?: boolean;
}

const ROLE_LABEL: Readonly<Record<string, string>> = {
  intake: '登记员',
  officer: '承办人',
  mediator: '调解员',
  head: '负责人',
  supervisor: '督办/上级',
  auditor: '审计',
  system: '系统',
};

const STEP_LABEL: Readonly<Record<string, string>> = {
  approaching: '临近到期提醒',
  dueSoon: '即将到期',
  missed: '逾期催办',
  escalated: '逾期督办',
  lapsed: '期限届满',
};

/** China Standard Time (UTC+8, no daylight saving): `2025-10-09 09:00:00`. */
export function cst(iso: string | undefined): string {
  const t = iso ? Date.parse(iso) : NaN;
  if (!Number.isFinite(t)) return iso ?? '';
  return new Date(t + 8 * 3_600_000).toISOString().slice(0, 19).replace('T', ' ');
}

/** One line saying what led to the event. */
export function causeText(e: HistoryEntry): string {
  const c = e.causedBy;
  if (c.kind === 'timer') {
    const rung = c.step ? (STEP_LABEL[c.step] ?? c.step) : '到期';
    const level = c.level !== undefined ? ` L${c.level}` : '';
    return `期限计时器 timer: ${c.deadlineId ?? '?'}${c.deadlineKind ? ` (${c.deadlineKind})` : ''} · ${rung}${level}`;
  }
  if (c.kind === 'system') return `系统 system${c.command ? `: ${c.command}` : ''}`;
  return `指令 command: ${c.command ?? '?'}`;
}

const unitName = (org: OrgDirectory, id: string): string => {
  const u = org.get(id);
  return u && u.name !== id ? `${u.name} (${id})` : id;
};

// ---- CSV (RFC 4180) -------------------------------------------------------------------------------------------

/** Spreadsheets run cells starting with these as formulas (CSV injection): such a cell gets a leading apostrophe. */
const FORMULA_START = /^[=+\-@\t\r]/;

export function csvField(value: unknown): string {
  let s = value === undefined || value === null ? '' : typeof value === 'string' ? value : typeof value === 'number' || typeof value === 'boolean' ? String(value) : JSON.stringify(value);
  if (FORMULA_START.test(s)) s = `'${s}`;
  return /[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

const CSV_COLUMNS: ReadonlyArray<[string, (e: HistoryEntry, streamId: string, org: OrgDirectory) => unknown]> = [
  ['streamId', (_e, s) => s],
  ['revision', (e) => e.revision],
  ['position', (e) => e.position],
  ['eventId', (e) => e.eventId],
  ['occurredAt', (e) => e.occurredAt],
  ['occurredAtCST', (e) => cst(e.occurredAt)],
  ['recordedAt', (e) => e.recordedAt],
  ['type', (e) => e.type],
  ['actorId', (e) => e.actorId],
  ['role', (e) => e.role],
  ['orgUnit', (e) => e.orgUnit],
  ['orgUnitName', (e, _s, org) => org.get(e.orgUnit)?.name ?? ''],
  ['causeKind', (e) => e.causedBy.kind],
  ['cause', (e) => e.causedBy.command ?? e.cause],
  ['deadlineId', (e) => e.causedBy.deadlineId],
  ['ladderStep', (e) => e.causedBy.step],
  ['level', (e) => e.causedBy.level],
  ['commandId', (e) => e.commandId],
  ['causationId', (e) => e.causationId],
  ['correlationId', (e) => e.correlationId],
  ['legalBasis', (e) => e.legalBasis],
  ['data', (e) => JSON.stringify(e.data ?? null)],
];

/** RFC 4180 (CRLF, quoted where needed, quotes doubled), UTF-8 with a BOM so Excel reads the Chinese text right. */
export function historyCsv(h: CaseHistory, ctx: Pick<ExportContext, 'org'>): string {
  const lines = [CSV_COLUMNS.map(([name]) => name).join(',')];
  for (const e of h.events) lines.push(CSV_COLUMNS.map(([, get]) => csvField(get(e, h.streamId, ctx.org))).join(','));
  return `\uFEFF${lines.join('\r\n')}\r\n`;
}

// ---- plain-text timeline ---------------------------------------------------------------------------------------

export function historyTimeline(h: CaseHistory, ctx: ExportContext): string {
  const out = [
    `案件时间线 Case timeline — ${h.streamId}`,
    `生成 Generated ${cst(ctx.generatedAt)} (北京时间 CST) by ${ctx.generatedBy}; ${h.events.length} events`,
    ...(ctx.accuserRedacted ? ['检举控告人信息已隐去 (accuser withheld, 信访工作条例 art. 46(5))'] : []),
    '',
  ];
  for (const e of h.events) {
    out.push(`${cst(e.occurredAt)}  #${e.revision}  ${e.type}`);
    out.push(`    ${e.actorId} · ${ROLE_LABEL[e.role] ?? e.role} (${e.role}) · ${unitName(ctx.org, e.orgUnit)}`);
    out.push(`    起因 ${causeText(e)}`);
    if (e.legalBasis) out.push(`    依据 ${e.legalBasis}`);
  }
  return `${out.join('\n')}\n`;
}

// ---- printable HTML --------------------------------------------------------------------------------------------

export function escapeHtml(value: unknown): string {
  const s = value === undefined || value === null ? '' : String(value);
  return s.replace(/[&<>"'`]/g, (c) => `&#${c.charCodeAt(0)};`);
}

/** Nothing may load or run: inline styles only. Sent as a header and repeated in the page (saved copies keep it). */
export const HTML_CSP = "default-src 'none'; style-src 'unsafe-inline'; base-uri 'none'; form-action 'none'";

const STYLE = `
  :root { font-family: "PingFang SC", "Hiragino Sans GB", "Microsoft YaHei", "Noto Sans CJK SC", "Source Han Sans SC", "WenQuanYi Micro Hei", system-ui, sans-serif; color: #111; }
  body { margin: 24px; font-size: 13px; line-height: 1.5; }
  h1 { font-size: 20px; margin: 0 0 8px; }
  dl { display: grid; grid-template-columns: max-content 1fr; gap: 2px 12px; margin: 0 0 16px; }
  dt { color: #555; } dd { margin: 0; }
  table { width: 100%; border-collapse: collapse; table-layout: fixed; }
  th, td { border: 1px solid #999; padding: 4px 6px; vertical-align: top; text-align: left; overflow-wrap: anywhere; }
  th { background: #eee; }
  col.n { width: 3em; } col.t { width: 10em; } col.e { width: 12em; } col.a { width: 12em; } col.c { width: 13em; } col.l { width: 9em; }
  pre { margin: 0; white-space: pre-wrap; word-break: break-all; font-size: 11px; font-family: "Sarasa Mono SC", "Noto Sans Mono CJK SC", ui-monospace, monospace; }
  .muted { color: #666; font-size: 11px; }
  .note { border-left: 3px solid #b00; padding-left: 8px; margin: 8px 0; }
  footer { margin-top: 16px; color: #555; font-size: 11px; }
  @page { size: A4 landscape; margin: 12mm; }
  @media print { body { margin: 0; } thead { display: table-header-group; } tr { break-inside: avoid; } }
`;

/** A self-contained printable page (no scripts, no external resources); every value is escaped. */
export function historyHtml(h: CaseHistory, ctx: ExportContext): string {
  const units = h.orgUnits.map((u) => escapeHtml(unitName(ctx.org, u))).join('、');
  const rows = h.events
    .map(
      (e) => `<tr>
  <td>${e.revision}<div class="muted">@${e.position}</div></td>
  <td>${escapeHtml(cst(e.occurredAt))}<div class="muted">记录 ${escapeHtml(cst(e.recordedAt))}</div></td>
  <td>${escapeHtml(e.type)}</td>
  <td>${escapeHtml(e.actorId)}<div>${escapeHtml(ROLE_LABEL[e.role] ?? e.role)} (${escapeHtml(e.role)})</div><div class="muted">${escapeHtml(unitName(ctx.org, e.orgUnit))}</div></td>
  <td>${escapeHtml(causeText(e))}<div class="muted">command ${escapeHtml(e.commandId)}<br>causation ${escapeHtml(e.causationId)}<br>correlation ${escapeHtml(e.correlationId)}</div></td>
  <td>${escapeHtml(e.legalBasis ?? '')}</td>
  <td><pre>${escapeHtml(JSON.stringify(e.data ?? null, null, 2))}</pre><div class="muted">event ${escapeHtml(e.eventId)}</div></td>
</tr>`,
    )
    .join('\n');
  return `<!DOCTYPE html>
<html lang="zh-CN">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="${escapeHtml(HTML_CSP)}">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>案件审计记录 ${escapeHtml(h.streamId)}</title>
<style>${STYLE}</style>
</head>
<body>
<header>
<h1>案件审计记录 <span class="muted">Case audit history</span></h1>
<dl>
  <dt>案件 Case</dt><dd>${escapeHtml(h.streamId)}</dd>
  <dt>所属单位 Org units</dt><dd>${units}</dd>
  <dt>事件数 Events</dt><dd>${h.events.length}</dd>
  <dt>生成时间 Generated</dt><dd>${escapeHtml(cst(ctx.generatedAt))} (北京时间 CST)</dd>
  <dt>生成人 Generated by</dt><dd>${escapeHtml(ctx.generatedBy)}</dd>
</dl>
${ctx.accuserRedacted ? '<p class="note">检举控告人身份信息已隐去（《信访工作条例》第四十六条）。The accuser\'s identity is withheld.</p>' : ''}
<p class="note">个人信息已屏蔽，查看原文须另行申请并留痕。Personal data is masked; revealing it is a separate, logged request.</p>
</header>
<table>
<colgroup><col class="n"><col class="t"><col class="e"><col class="a"><col class="c"><col class="l"><col></colgroup>
<thead><tr><th>版本</th><th>时间（北京时间）</th><th>事件</th><th>操作人 / 角色 / 单位</th><th>起因</th><th>法律依据</th><th>详情</th></tr></thead>
<tbody>
${rows}
</tbody>
</table>
<footer>Hearth · 内容取自只可追加的事件日志 (append-only event log) · ${escapeHtml(h.streamId)} · ${h.events.length} events</footer>
</body>
</html>
`;
}
