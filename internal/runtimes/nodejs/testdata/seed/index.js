// runtime.md section 7: the seed example.
exports.handler = async (event) => ({
  statusCode: 200,
  body: JSON.stringify({ message: 'hi' }),
});
exports.echo = async (event) => event;
exports.notfn = 'not a function';
