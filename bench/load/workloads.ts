/**
 * What the load clients send: one clerk per loop in a grassroots union, walking petitions through the steps
 * officers take most (register → accept → assign → answer = draft + approve) and looking at their lists and cases
 * in between. Bodies are realistic in size and content (Chinese text, a petitioner with ID number and phone).
 */
export interface Step {
  op: string;
  method: 'GET' | 'POST';
  /** Role of the user sending it; the user is `<role>.<unit>` from config/demo-org.json. */
  role: 'intake' | 'officer' | 'head';
  path: (c: CaseRef) => string;
  body?: (c: CaseRef) => unknown;
  command: boolean;
}

export interface CaseRef {
  unit: string;
  /** Petition id (known after registration). */
  id: string;
  seq: number;
  loop: number;
  /** Differs per run, so two runs against one server never send the same petitioner and subject. */
  salt?: number;
}

export type WorkloadName = 'petition' | 'petition-commands' | 'register-accept';

const SURNAMES = ['王', '李', '张', '刘', '陈', '杨', '赵', '黄', '周', '吴'];
const GIVEN = ['伟', '芳', '娜', '敏', '静', '强', '磊', '军', '洋', '勇'];
const EMPLOYERS = ['某建筑公司', '某物流公司', '某电子厂', '某餐饮连锁', '某纺织厂', '某物业公司'];
const ISSUES = ['拖欠工资三个月', '未缴社会保险', '加班费未支付', '违法解除劳动合同', '工伤待遇未落实', '未签书面劳动合同'];
const CHANNELS = ['visit', 'letter', 'online', 'hotline'];

/** A well-mixed 32-bit hash of the case's coordinates (so petitioners and subjects differ between runs and loops). */
function mix(...xs: number[]): number {
  let h = 0x9e3779b9;
  for (const x of xs) {
    h = Math.imul(h ^ (x >>> 0), 0x85ebca6b);
    h ^= h >>> 13;
    h = Math.imul(h, 0xc2b2ae35);
    h ^= h >>> 16;
  }
  return h >>> 0;
}

/**
 * An 18-character resident ID number with a valid-looking date part (never a real person's), unique per run, client
 * loop (< 100) and case (< 14,600; < 14,600,000 in seeded logs): accidental repeat petitions (same person, same subject) would otherwise be linked
 * to an earlier case, possibly in another unit, and the clerk's next step refused.
 */
function idNumber(c: CaseRef): string {
  const birth = new Date(Date.UTC(1960, 0, 1) + (c.seq % 14_600) * 86_400_000).toISOString().slice(0, 10).replace(/-/g, '');
  const region = 330100 + (c.loop % 100);
  // The run's salt for load clients; seeded logs (no salt) spend these digits on the case number instead.
  const run = String((c.salt !== undefined ? c.salt : Math.floor(c.seq / 14_600)) % 1000).padStart(3, '0');
  return `${region}${birth}${run}${c.seq % 11 === 10 ? 'X' : c.seq % 10}`;
}

export function registerBody(c: CaseRef): Record<string, unknown> {
  const n = mix(c.salt ?? 0, c.loop, c.seq);
  const issue = ISSUES[n % ISSUES.length];
  const employer = EMPLOYERS[(n >>> 3) % EMPLOYERS.length];
  return {
    orgUnit: c.unit,
    channel: CHANNELS[(n >>> 6) % CHANNELS.length],
    category: 'claim',
    subject: `${employer}${issue}`,
    facts: `本人于2023年入职${employer}，从事一线生产工作。${issue}，多次向公司人事部门反映未果，公司以经营困难为由一再拖延。同车间另有多名工友情况相同。`,
    request: '请求工会协调用人单位依法补发拖欠款项并补缴社会保险，维护职工合法权益。',
    petitioners: [
      {
        name: `${SURNAMES[n % SURNAMES.length]}${GIVEN[(n >>> 4) % GIVEN.length]}${GIVEN[(n >>> 9) % GIVEN.length]}`,
        phone: `139${String(n % 100_000_000).padStart(8, '0')}`,
        idNumber: idNumber(c),
        address: `杭州市西湖区文三路${1 + (n % 500)}号`,
      },
    ],
    headcount: 1 + (n % 3),
    identityKnown: true,
  };
}

const REGISTER: Step = { op: 'register', method: 'POST', role: 'intake', path: () => '/petitions', body: registerBody, command: true };
const ACCEPT: Step = {
  op: 'accept',
  method: 'POST',
  role: 'officer',
  path: (c) => `/petitions/${c.id}/acceptance`,
  body: (c) => ({ signedBy: `head.${c.unit}`, note: '符合受理条件，依法受理' }),
  command: true,
};
const ASSIGN: Step = {
  op: 'assign',
  method: 'POST',
  role: 'officer',
  path: (c) => `/petitions/${c.id}/handler`,
  body: (c) => ({ officerId: `officer.${c.unit}` }),
  command: true,
};
const DRAFT: Step = {
  op: 'answer-draft',
  method: 'POST',
  role: 'officer',
  path: (c) => `/petitions/${c.id}/answer-draft`,
  body: () => ({
    outcome: 'support',
    facts: '经调查核实，用人单位确存在拖欠情况，已责令其限期补发并补缴社会保险。',
    legalBasis: '劳动合同法 art. 30；信访工作条例 art. 32',
  }),
  command: true,
};
const APPROVE: Step = { op: 'answer-approve', method: 'POST', role: 'head', path: (c) => `/petitions/${c.id}/answer-approval`, body: () => ({}), command: true };
const DETAIL: Step = { op: 'get-case', method: 'GET', role: 'officer', path: (c) => `/petitions/${c.id}`, command: false };
const LIST: Step = { op: 'list', method: 'GET', role: 'officer', path: (c) => `/petitions?orgUnit=${c.unit}&limit=20`, command: false };

/** The steps of one case, in order. */
export const WORKLOADS: Record<WorkloadName, Step[]> = {
  // 5 commands, 3 queries per case.
  petition: [REGISTER, ACCEPT, ASSIGN, LIST, DRAFT, DETAIL, APPROVE, DETAIL],
  // The same commands without the queries (open-loop runs at a fixed command rate).
  'petition-commands': [REGISTER, ACCEPT, ASSIGN, DRAFT, APPROVE],
  // The path the peer implements too.
  'register-accept': [REGISTER, ACCEPT],
};

/** The grassroots unions of config/demo-org.json: each has intake, officer and head users. */
export const UNITS = ['east-s1-g1', 'east-s1-g2', 'east-s2-g1', 'east-s2-g2', 'west-s1-g1', 'west-s1-g2', 'west-s2-g1', 'west-s2-g2'];
