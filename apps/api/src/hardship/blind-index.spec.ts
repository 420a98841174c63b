import { hardshipFileIdFor } from './blind-index';

describe('hardship file id (blind index of the ID number)', () => {
  const key = 'k'.repeat(32);

  it('is the same for the same household, whatever the case of the check character or blanks', () => {
    const id = hardshipFileIdFor('11010119800101123X', key);
    expect(hardshipFileIdFor(' 11010119800101123x ', key)).toBe(id);
    expect(id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-8[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
  });

  it('differs between households and between keys, and does not contain the number', () => {
    const id = hardshipFileIdFor('110101198001011234', key);
    expect(hardshipFileIdFor('110101198001011235', key)).not.toBe(id);
    expect(hardshipFileIdFor('110101198001011234', 'another-key-another-key')).not.toBe(id);
    expect(id.replace(/-/g, '')).not.toContain('1101011980');
  });
});
