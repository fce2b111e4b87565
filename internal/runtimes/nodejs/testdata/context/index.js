exports.handler = async (event, context) => {
  const remaining = context.getRemainingTimeInMillis();
  return {
    json: JSON.stringify(context),
    keys: Object.keys(context),
    memoryType: typeof context.memoryLimitInMB,
    remaining,
    trace: process.env._X_AMZN_TRACE_ID === undefined ? '<unset>' : process.env._X_AMZN_TRACE_ID,
    waits: context.callbackWaitsForEmptyEventLoop,
    fns: ['succeed', 'fail', 'done', 'getRemainingTimeInMillis'].map((k) => typeof context[k]),
    awslambda: typeof globalThis.awslambda?.streamifyResponse,
  };
};
