const missing = require('this-package-does-not-exist');
exports.handler = async () => missing;
