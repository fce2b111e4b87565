Promise.reject(new Error('init boom'));
exports.handler = async () => 'unreachable';
