/**
 * Pending deadlines counted provisionally: their period reaches a year whose holiday arrangement is not loaded yet,
 * so they were counted with the statutory holidays only and will be recomputed when it is (DeadlineRecomputed).
 * Every case document keeps their ids in `pv`, so officers and supervisors see the flag.
 */
export interface ProvisionalMarks {
  pv?: string[];
}

export function markProvisional(doc: ProvisionalMarks, deadlineId: string, provisional: boolean | undefined): void {
  const has = doc.pv?.includes(deadlineId) ?? false;
  if (provisional && !has) doc.pv = [...(doc.pv ?? []), deadlineId];
  else if (!provisional && has) {
    const rest = doc.pv!.filter((id) => id !== deadlineId);
    if (rest.length) doc.pv = rest;
    else delete doc.pv;
  }
}

/** `{ provisional: true }` for a provisional deadline, nothing otherwise (documents stay as they were). */
export const provisionalFlag = (doc: ProvisionalMarks, deadlineId: string): { provisional?: true } => (doc.pv?.includes(deadlineId) ? { provisional: true } : {});

/** For the summaries: a case with any provisional pending deadline. */
export const anyProvisional = (doc: ProvisionalMarks): { provisional?: true } => (doc.pv?.length ? { provisional: true } : {});
