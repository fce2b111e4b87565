exports.async = async () => {
  throw new Error('x');
};
exports.custom = async () => {
  const e = new Error('custom failure');
  e.name = 'MyError';
  e.code = 'E_CUSTOM';
  e.statusCode = 418;
  throw e;
};
exports.rejectString = async () => {
  throw 'plain';
};
exports.undef = async () => undefined;
exports.circular = async () => {
  const o = { a: 1 };
  o.self = o;
  return o;
};
exports.echo = async (event) => event;
exports.del = async () => {
  throw new Error('a\x7Fb');
};
