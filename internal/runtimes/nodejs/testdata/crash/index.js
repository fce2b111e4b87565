exports.uncaught = async () => {
  setTimeout(() => {
    throw new Error('kaboom');
  }, 10);
  return new Promise((resolve) => setTimeout(resolve, 5000));
};
exports.rejection = async () => {
  Promise.reject(new Error('yikes'));
  return new Promise((resolve) => setTimeout(resolve, 5000));
};
let n = 0;
exports.never = async () => {
  n++;
  console.log('never call', n);
  return new Promise(() => {});
};
