// ES module with top-level await: it finishes during Init.
const ready = await new Promise((resolve) => setTimeout(() => resolve('ready'), 20));
export const handler = async (event) => ({ kind: 'mjs', ready, input: event.input });
