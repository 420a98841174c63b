import { OrgDirectory } from '@hearth/domain';
import type { CaseHistory, HistoryEntry } from '../history/case-history.service';
import { causeText, cst, csvField, escapeHtml, historyCsv, historyHtml, historyTimeline } from './history-export';

const org = new OrgDirectory([
  { id: 'city', name: '示范市总工会', level: 1 },
  { id: 'east', name: '东城区总工会', level: 2, parentId: 'city' },
]);

const entry = (over: Partial<HistoryEntry> = {}): HistoryEntry => ({
  revision: 0,
  position: 7,
  eventId: 'e-0',
  type: 'PetitionRegistered',
  occurredAt: '2025-09-23T01:00:00.000Z',
  recordedAt: '2025-09-23T01:00:00.120Z',
  actorId: 'intake.east',
  role: 'intake',
  orgUnit: 'east',
  cause: 'RegisterPetition',
  causedBy: { kind: 'command', command: 'RegisterPetition' },
  commandId: 'c-1',
  correlationId: 'c-1',
  causationId: 'c-1',
  legalBasis: '信访工作条例 art. 22',
  data: { subject: '拖欠工资' },
  ...over,
});

const hostile = '<script>alert("x")</script> & \'q\' `b`';
const history: CaseHistory = {
  streamId: 'petition-1',
  orgUnits: ['east'],
  events: [
    entry(),
    entry({
      revision: 1,
      position: 9,
      type: 'DeadlineMissed',
      actorId: 'system',
      role: 'system',
      orgUnit: 'system',
      cause: 'timer',
      causedBy: { kind: 'timer', command: 'ExpireDeadline', deadlineId: 'acceptance-1', deadlineKind: 'acceptance', step: 'missed', level: 1 },
      legalBasis: undefined,
      data: { note: hostile, formula: '=HYPERLINK("http://x")', lines: 'a,b\r\nc "d"' },
    }),
  ],
};

describe('history exports', () => {
  it('CSV: RFC 4180 quoting, CRLF rows, UTF-8 BOM, one row per event, formula cells neutralised', () => {
    const csv = historyCsv(history, { org });
    expect(csv.startsWith('\uFEFFstreamId,revision,position,eventId,')).toBe(true);
    expect(csv.endsWith('\r\n')).toBe(true);
    expect(csvField('plain')).toBe('plain');
    expect(csvField('a,b')).toBe('"a,b"');
    expect(csvField('say "hi"')).toBe('"say ""hi"""');
    expect(csvField('two\r\nlines')).toBe('"two\r\nlines"');
    expect(csvField('=SUM(A1)')).toBe("'=SUM(A1)");
    expect(csvField('-1+1')).toBe("'-1+1");
    expect(csvField(undefined)).toBe('');
    expect(csvField(3)).toBe('3');

    // A minimal RFC 4180 reader: the file parses back into the same cells.
    const rows = parseCsv(csv.slice(1));
    expect(rows).toHaveLength(3);
    const [header, first, second] = rows;
    expect(header).toHaveLength(first.length);
    const col = (name: string) => header.indexOf(name);
    expect(first[col('orgUnitName')]).toBe('东城区总工会');
    expect(first[col('occurredAtCST')]).toBe('2025-09-23 09:00:00');
    expect(first[col('legalBasis')]).toBe('信访工作条例 art. 22');
    expect(second[col('causeKind')]).toBe('timer');
    expect(second[col('deadlineId')]).toBe('acceptance-1');
    expect(second[col('ladderStep')]).toBe('missed');
    expect(JSON.parse(second[col('data')])).toEqual(history.events[1].data);
  });

  it('HTML: self-contained, Chinese-friendly, every value escaped, no script can run', () => {
    const html = historyHtml(history, { org, generatedAt: '2025-10-09T01:00:00Z', generatedBy: 'auditor.city', accuserRedacted: true });
    expect(html.startsWith('<!DOCTYPE html>')).toBe(true);
    expect(html).toContain('<html lang="zh-CN">');
    expect(html).toContain('<meta charset="utf-8">');
    expect(html).toContain("Content-Security-Policy");
    expect(html).not.toContain('<script');
    expect(html).not.toMatch(/<link|src=|href=/);
    // Inside the pretty-printed JSON of the data (so the quotes carry JSON's backslash too).
    expect(html).toContain('&#60;script&#62;alert(\\&#34;x\\&#34;)&#60;/script&#62; &#38; &#39;q&#39; &#96;b&#96;');
    expect(html).toContain('东城区总工会 (east)');
    expect(html).toContain('2025-10-09 09:00:00');
    expect(html).toContain('检举控告人身份信息已隐去');
    expect(html).toContain('@page');
    expect(escapeHtml('"><img src=x onerror=alert(1)>')).toBe('&#34;&#62;&#60;img src=x onerror=alert(1)&#62;');
  });

  it('timeline: one block per event with actor, role, unit, cause and legal basis', () => {
    const text = historyTimeline(history, { org, generatedAt: '2025-10-09T01:00:00Z', generatedBy: 'auditor.city' });
    const lines = text.split('\n');
    expect(lines[0]).toBe('案件时间线 Case timeline — petition-1');
    expect(text).toContain('2025-09-23 09:00:00  #0  PetitionRegistered');
    expect(text).toContain('intake.east · 登记员 (intake) · 东城区总工会 (east)');
    expect(text).toContain('依据 信访工作条例 art. 22');
    expect(text).toContain('起因 期限计时器 timer: acceptance-1 (acceptance) · 逾期催办 L1');
  });

  it('cause texts and CST times', () => {
    expect(causeText(history.events[0])).toBe('指令 command: RegisterPetition');
    expect(causeText(entry({ causedBy: { kind: 'system', command: 'PetitionRoutedOut' } }))).toBe('系统 system: PetitionRoutedOut');
    expect(cst('2025-12-31T16:30:00Z')).toBe('2026-01-01 00:30:00');
    expect(cst('not a time')).toBe('not a time');
  });
});

function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let cell = '';
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') {
        cell += '"';
        i++;
      } else if (c === '"') quoted = false;
      else cell += c;
    } else if (c === '"') quoted = true;
    else if (c === ',') {
      row.push(cell);
      cell = '';
    } else if (c === '\r' && text[i + 1] === '\n') {
      row.push(cell);
      rows.push(row);
      row = [];
      cell = '';
      i++;
    } else cell += c;
  }
  return rows;
}
