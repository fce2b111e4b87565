// Found only through require.resolve and NODE_PATH (runtime.md 4.2 step 3.6).
exports.handler = async () => 'resolved via NODE_PATH';
