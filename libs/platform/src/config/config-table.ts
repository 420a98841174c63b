import { CONFIG_VARIABLES, VariableSpec } from './config-variables';

/** The README's Configuration table, rendered from the schema (test/ops/config-table.spec.ts keeps them equal). */
export function renderConfigTable(): string {
  const rows = (Object.entries(CONFIG_VARIABLES) as [string, VariableSpec][]).map(([name, s]) => `| \`${name}\` | ${s.type} | ${s.default} | ${s.meaning} |`);
  return ['| variable | type | default | meaning |', '|---|---|---|---|', ...rows].join('\n');
}
