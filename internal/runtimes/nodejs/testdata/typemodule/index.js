export const handler = async () => ({ kind: 'esm-js', cjs: typeof module !== 'undefined' });
