export const handler = async () => 'esm-js';
