exports.handler = async () => 'other';
