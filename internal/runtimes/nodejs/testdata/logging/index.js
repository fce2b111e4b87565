console.log('init log');
console.warn('init warn');
exports.levels = async () => {
  console.trace('t');
  console.debug('d');
  console.info('i');
  console.log('l %s %d', 'fmt', 7);
  console.warn('w');
  console.error('e');
  console.fatal('f');
  console.log('line1\nline2\nline3');
  console.warn({ a: 1, b: 'two' });
  console.error(new Error('bad'));
  console.error('ctx', new Error('bad2'));
  process.stdout.write('raw write\n');
  return 'ok';
};
// More than a pipe buffer (64 KiB) of log lines before the result.
exports.big = async () => {
  for (let i = 0; i < 2000; i++) console.log('x'.repeat(100) + ' ' + i);
  return 'big';
};
// process.stdout makes fd 1 non-blocking; console lines must still all be
// written before the result is posted.
exports.nonblocking = async () => {
  process.stdout.write('touch stdout\n');
  for (let i = 0; i < 2000; i++) console.log('y'.repeat(100) + ' ' + i);
  return 'nonblocking';
};
