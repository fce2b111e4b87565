exports.nested = { fn: async () => 'nested property' };
