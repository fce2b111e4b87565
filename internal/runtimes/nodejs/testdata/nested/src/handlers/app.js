exports.fn = async () => 'nested path';
