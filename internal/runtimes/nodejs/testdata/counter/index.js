let count = 0;
exports.handler = async () => ({ count: ++count, pid: process.pid });
