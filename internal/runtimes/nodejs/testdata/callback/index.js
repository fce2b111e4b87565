// Callback-style handlers (runtime.md 4.3).

// Default callbackWaitsForEmptyEventLoop = true: the result is posted only
// once the timer has run and the loop is empty.
exports.wait = (event, context, callback) => {
  setTimeout(() => console.log('timer fired'), 50);
  callback(null, { ok: 'waited' });
};

// false: posted at once; the timer runs later.
exports.nowait = (event, context, callback) => {
  context.callbackWaitsForEmptyEventLoop = false;
  setTimeout(() => console.log('late timer'), 1000);
  callback(null, 'nowait');
};

exports.err = (event, context, callback) => callback(new Error('cb failed'));
exports.strerr = (event, context, callback) => callback('boom');
exports.sync = (event, context, callback) => {};
exports.syncReturn = (event, context, callback) => 42;
exports.first = (event, context, callback) => {
  context.succeed('first');
  context.fail(new Error('second'));
  callback(null, 'third');
  context.done(null, 'fourth');
};
exports.succeed = (event, context) => context.succeed({ via: 'succeed' });
exports.failUndefined = (event, context) => context.fail();
exports.failErr = (event, context) => context.fail(new RangeError('via fail'));
exports.done = (event, context) => context.done(null, { via: 'done' });
exports.doneErr = (event, context) => context.done('done error', 'ignored');
exports.throws = (event, context, callback) => {
  throw new TypeError('sync throw');
};
exports.asyncAndCallback = async (event, context, callback) => {
  callback(null, 'from callback');
  return 'from promise';
};
