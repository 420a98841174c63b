/**
 * The password policy (等保 2.0, GB/T 22239-2019 8.1.4.1 b: 口令具有复杂度要求): at least 10 characters, at most 128,
 * with letters and digits, and not the username. Returns the violated rule's message (Chinese, shown to the user).
 */
export function passwordPolicyViolation(password: string, username?: string): string | undefined {
  if (password.length < 10) return '密码至少 10 个字符';
  if (password.length > 128) return '密码最多 128 个字符';
  if (!/[A-Za-z]/.test(password) || !/[0-9]/.test(password)) return '密码须同时包含字母和数字';
  if (username && password.toLowerCase().includes(username.toLowerCase())) return '密码不能包含用户名';
  return undefined;
}
