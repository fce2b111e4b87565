// Kindling Node.js runtime bootstrap.
//
// Run as `/usr/bin/node [heap flags] <this file>` with cwd = the function's
// code directory. It implements the Lambda Runtime API client loop and the
// behaviour of the AWS Node.js runtime interface client (handler resolution,
// callback and async handlers, the context object, error bodies and the
// console log format). It is written for Kindling from the documented
// behaviour; see docs/reference runtime.md sections 1, 2.1 and 4.
//
// Environment it reads:
//   AWS_LAMBDA_RUNTIME_API   host:port[/prefix] of the Runtime API (required)
//   _HANDLER                 handler string, e.g. "index.handler"
//   LAMBDA_TASK_ROOT         code directory (fallback: process.cwd())
//   AWS_LAMBDA_FUNCTION_NAME, _VERSION, _MEMORY_SIZE, AWS_LAMBDA_LOG_GROUP_NAME,
//   AWS_LAMBDA_LOG_STREAM_NAME                       context fields
//   AWS_LAMBDA_LOG_FORMAT (Text|JSON), AWS_LAMBDA_LOG_LEVEL   console format
//   AWS_LAMBDA_NODEJS_NO_GLOBAL_AWSLAMBDA ("1"/"true": no globalThis.awslambda)
//
// The server, not this file, sets NODE_PATH and the V8 heap flags (see
// HeapFlags in nodejs.go: new_space = mem/10,
// --max-semi-space-size=new_space/2, --max-old-space-size=mem-new_space).
//
// Exit codes: 129 after an uncaught exception (also every Init failure),
// 128 after an unhandled promise rejection, 1 when the Runtime API cannot be
// used, 13 when the function's own top-level await never settles (Node).
//
// Every console line is written to fd 1 synchronously, so all the lines an
// invocation logs are on stdout before its /response or /error POST starts.

import http from 'node:http';
import fs from 'node:fs';
import path from 'node:path';
import { format } from 'node:util';
import { createRequire } from 'node:module';
import { pathToFileURL } from 'node:url';
import { Writable } from 'node:stream';

const require = createRequire(import.meta.url);
const env = process.env;

let handler; // set once Init succeeded
let streaming = false; // handler was wrapped by awslambda.streamifyResponse
let invokeId; // the current (or last) invocation
let dying = false; // a fatal error is being reported; the process will exit

// ---------------------------------------------------------------------------
// Runtime errors (runtime.md 4.2): every class is named "Runtime.<Class>".

function runtimeError(name) {
  const C = class extends Error {};
  Object.defineProperty(C.prototype, 'name', { value: 'Runtime.' + name, writable: true, configurable: true });
  return C;
}
const ImportModuleError = runtimeError('ImportModuleError');
const HandlerNotFound = runtimeError('HandlerNotFound');
const MalformedHandlerName = runtimeError('MalformedHandlerName');
const UserCodeSyntaxError = runtimeError('UserCodeSyntaxError');
const NodeJsExit = runtimeError('NodeJsExit');
const UnhandledPromiseRejection = runtimeError('UnhandledPromiseRejection');

const NODEJS_EXIT_MESSAGE =
  'The Lambda runtime client detected an unexpected Node.js exit code. This is most commonly caused by a ' +
  'Promise that was never settled. For more information, see https://nodejs.org/docs/latest/api/process.html#exit-codes';

// ---------------------------------------------------------------------------
// Error serialisation (runtime.md 4.5).

function isErrorLike(e) {
  return e !== null && typeof e === 'object' && typeof e.name === 'string' &&
    typeof e.message === 'string' && typeof e.stack === 'string';
}

function del7F(s) {
  return s.includes('\x7F') ? s.replace(/\x7F/g, '%7F') : s;
}

// Body for /invocation/{id}/error and /init/error.
function errorBody(e) {
  let o;
  try {
    if (isErrorLike(e)) {
      o = { errorType: del7F(e.name), errorMessage: del7F(e.message), trace: e.stack.split('\n').map(del7F) };
    } else {
      o = { errorType: typeof e, errorMessage: String(e), trace: [] };
    }
  } catch {
    o = {
      errorType: 'handled',
      errorMessage: 'callback called with Error argument, but there was a problem while retrieving one or more of its message, name, and stack',
    };
  }
  return o;
}

// The JSON after "Invoke Error " / "Uncaught Exception " in the log: errors
// become {errorType, errorMessage, code?, <own enumerable props>, stack: [..]}.
function logReplacer(_k, v) {
  if (v instanceof Error) {
    const o = Object.assign({ errorType: v.name, errorMessage: v.message, code: v.code }, v);
    if (typeof v.stack === 'string') o.stack = v.stack.split('\n');
    return o;
  }
  return v;
}

function formatted(e) {
  try {
    return '\t' + JSON.stringify(e, logReplacer);
  } catch {
    return '\t' + JSON.stringify(errorBody(e));
  }
}

// ---------------------------------------------------------------------------
// Console (runtime.md 4.6).

let requestId; // the literal "undefined" in text lines before the first invoke
let tenantId;

const sleepCell = new Int32Array(new SharedArrayBuffer(4));

// Synchronous write of a whole string to fd 1. If user code turned the pipe
// non-blocking (by touching process.stdout), EAGAIN is retried.
function writeOut(s) {
  const buf = Buffer.from(s, 'utf8');
  let off = 0;
  while (off < buf.length) {
    try {
      off += fs.writeSync(1, buf, off, buf.length - off);
    } catch (e) {
      if (e.code === 'EAGAIN') {
        Atomics.wait(sleepCell, 0, 0, 1);
        continue;
      }
      return; // stdout gone: drop the line
    }
  }
}

function errorFields(e) {
  return {
    errorType: e.name,
    errorMessage: e.message,
    stackTrace: typeof e.stack === 'string' ? e.stack.split('\n') : e.stack,
  };
}

function jsonReplacer(_k, v) {
  return v instanceof Error ? errorFields(v) : v;
}

function textLogger(level) {
  return function (...args) {
    let line = new Date().toISOString() + '\t' + requestId + '\t' + level + '\t' + format(...args);
    if (line.includes('\n')) line = line.replace(/\n/g, '\r');
    writeOut(line + '\n');
  };
}

function jsonLogger(level) {
  return function (...args) {
    const rec = { timestamp: new Date().toISOString(), level, requestId };
    if (tenantId !== undefined) rec.tenantId = tenantId;
    let line;
    if (args.length === 1) {
      rec.message = args[0];
      try {
        line = JSON.stringify(rec, jsonReplacer);
      } catch {
        rec.message = format(args[0]);
        line = JSON.stringify(rec);
      }
    } else {
      rec.message = format(...args);
      const err = args.find((a) => a instanceof Error);
      if (err !== undefined) Object.assign(rec, errorFields(err));
      try {
        line = JSON.stringify(rec);
      } catch {
        line = JSON.stringify({ timestamp: rec.timestamp, level, requestId, message: rec.message });
      }
    }
    writeOut(line + '\n');
  };
}

const LEVELS = ['TRACE', 'DEBUG', 'INFO', 'WARN', 'ERROR', 'FATAL'];
const noop = () => {};
const jsonFormat = (env.AWS_LAMBDA_LOG_FORMAT || '').toUpperCase() === 'JSON';
const minLevel = Math.max(0, LEVELS.indexOf((env.AWS_LAMBDA_LOG_LEVEL || '').toUpperCase()));

function logger(level) {
  if (LEVELS.indexOf(level) < minLevel && level !== 'FATAL') return noop;
  return jsonFormat ? jsonLogger(level) : textLogger(level);
}

const logError = logger('ERROR');
console.trace = logger('TRACE');
console.debug = logger('DEBUG');
console.info = logger('INFO');
console.log = console.info;
console.warn = logger('WARN');
console.error = logError;
console.fatal = logger('FATAL');

// ---------------------------------------------------------------------------
// globalThis.awslambda (runtime.md 4.1, 4.8). Streaming handlers are served
// in buffered mode: the bytes written to the stream are posted as one
// ordinary /response with the stream's content type.

const STREAMING = Symbol.for('kindling.lambda.streaming');

if (!/^(1|true)$/i.test(env.AWS_LAMBDA_NODEJS_NO_GLOBAL_AWSLAMBDA || '')) {
  globalThis.awslambda = {
    streamifyResponse(handler) {
      handler[STREAMING] = true;
      return handler;
    },
    HttpResponseStream: {
      from(stream, prelude) {
        stream.setContentType('application/vnd.awslambda.http-integration-response');
        stream.write(JSON.stringify(prelude));
        stream.write(Buffer.alloc(8));
        return stream;
      },
    },
  };
}

// ---------------------------------------------------------------------------
// Runtime API client (runtime.md 1). One keep-alive connection.

function die(msg) {
  if (dying) return; // fatal() exits with its own code
  try {
    fs.writeSync(2, 'kindling-node-bootstrap: ' + msg + '\n');
  } catch {}
  process.exit(1);
}

if (!env.AWS_LAMBDA_RUNTIME_API) die('AWS_LAMBDA_RUNTIME_API is not set');
const apiURL = new URL('http://' + env.AWS_LAMBDA_RUNTIME_API + '/2018-06-01/runtime/');
const apiHost = apiURL.hostname.replace(/^\[(.*)\]$/, '$1');
const apiPort = apiURL.port || 80;
const apiBase = apiURL.pathname; // "<prefix>/2018-06-01/runtime/"
const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
const NEXT_PATH = apiBase + 'invocation/next';
const JSON_TYPE = 'application/json';

// call sends one request; done(status, headers, body Buffer) runs when the
// whole answer is read. A reset on a reused keep-alive socket is retried once.
function call(method, urlPath, headers, body, done, retried) {
  const req = http.request(
    { agent, host: apiHost, port: apiPort, method, path: urlPath, headers },
    (res) => {
      const chunks = [];
      res.on('data', (c) => chunks.push(c));
      res.on('end', () => done(res.statusCode, res.headers, chunks.length === 1 ? chunks[0] : Buffer.concat(chunks)));
      res.on('error', (err) => die(`${method} ${urlPath}: ${err.message}`));
    },
  );
  req.on('error', (err) => {
    if (!retried && req.reusedSocket && (err.code === 'ECONNRESET' || err.code === 'EPIPE')) {
      call(method, urlPath, headers, body, done, true);
      return;
    }
    die(`${method} ${urlPath}: ${err.message}`);
  });
  req.end(body);
}

// post sends a result or error and then fetches the next event.
function post(urlPath, contentType, body) {
  const buf = typeof body === 'string' ? Buffer.from(body) : body;
  call('POST', urlPath, { 'Content-Type': contentType, 'Content-Length': buf.length }, buf, (status, _h, resBody) => {
    if (status >= 500) die(`POST ${urlPath}: HTTP ${status} ${resBody}`);
    // 4xx (stale request id, payload too large, ...): the platform has
    // already decided the invoke's outcome; carry on with the next event.
    scheduleNext();
  });
}

// ---------------------------------------------------------------------------
// Fatal errors (runtime.md 4.3): post the error, then exit.


function fatal(err, code) {
  if (dying) return;
  dying = true;
  const o = errorBody(err);
  const body = Buffer.from(JSON.stringify(o));
  const headers = { 'Content-Type': JSON_TYPE, 'Content-Length': body.length };
  let urlPath;
  if (invokeId === undefined) {
    urlPath = apiBase + 'init/error';
    headers['Lambda-Runtime-Function-Error-Type'] = /^[\x20-\x7e]+$/.test(o.errorType) ? o.errorType : 'Runtime.Unknown';
  } else {
    urlPath = apiBase + 'invocation/' + encodeURIComponent(invokeId) + '/error';
  }
  setTimeout(() => process.exit(code), 5000).unref();
  // A fresh connection: the pooled one may be parked on a blocking /next.
  const req = http.request({ agent: false, host: apiHost, port: apiPort, method: 'POST', path: urlPath, headers }, (res) => {
    res.resume();
    res.on('end', () => process.exit(code));
    res.on('error', () => process.exit(code));
  });
  req.on('error', () => process.exit(code));
  req.end(body);
}

process.on('uncaughtException', (err) => {
  logError('Uncaught Exception', formatted(err));
  fatal(err, 129);
});

process.on('unhandledRejection', (reason, promise) => {
  const err = new UnhandledPromiseRejection(String(reason));
  err.reason = reason;
  err.promise = promise;
  logError('Unhandled Promise Rejection', formatted(err));
  fatal(err, 128);
});

// One slot, run when the event loop drains (runtime.md 4.3).
let onBeforeExit = null;
process.on('beforeExit', () => {
  const f = onBeforeExit;
  if (f !== null) {
    onBeforeExit = null;
    f();
  }
});

// ---------------------------------------------------------------------------
// Handler resolution (runtime.md 4.2).

function typeModule(file) {
  let dir = path.dirname(file);
  for (;;) {
    if (path.basename(dir) === 'node_modules') return false;
    const pj = path.join(dir, 'package.json');
    if (fs.existsSync(pj)) {
      try {
        return JSON.parse(fs.readFileSync(pj, 'utf8')).type === 'module';
      } catch {
        return false;
      }
    }
    const parent = path.dirname(dir);
    if (parent === dir) return false;
    dir = parent;
  }
}

async function loadModule(appRoot, moduleRoot, name) {
  const base = path.resolve(appRoot, moduleRoot, name);
  if (fs.existsSync(base)) return require(base);
  const js = base + '.js';
  if (fs.existsSync(js)) {
    if (!typeModule(base)) return require(js);
    return import(pathToFileURL(js).href);
  }
  if (fs.existsSync(base + '.mjs')) return import(pathToFileURL(base + '.mjs').href);
  if (fs.existsSync(base + '.cjs')) return require(base + '.cjs');
  return require(require.resolve(name, { paths: [appRoot, moduleRoot] }));
}

async function loadHandler(appRoot, full) {
  if (full.includes('..')) {
    throw new MalformedHandlerName(
      `'${full}' is not a valid handler name. Use absolute paths when specifying root directories in handler names.`,
    );
  }
  const slash = full.lastIndexOf('/');
  const moduleRoot = full.slice(0, slash + 1);
  const base = full.slice(slash + 1);
  const dot = base.indexOf('.');
  if (dot < 0) throw new MalformedHandlerName('Bad handler');
  const name = base.slice(0, dot);
  const fnPath = base.slice(dot + 1);

  let mod;
  try {
    mod = await loadModule(appRoot, moduleRoot, name);
  } catch (e) {
    if (e instanceof SyntaxError) throw new UserCodeSyntaxError(String(e));
    if (e !== null && typeof e === 'object' && e.code === 'MODULE_NOT_FOUND') throw new ImportModuleError(String(e));
    throw e;
  }

  let fn = mod;
  for (const key of fnPath.split('.')) fn = fn && fn[key];
  if (!fn) throw new HandlerNotFound(`${full} is undefined or not exported`);
  if (typeof fn !== 'function') throw new HandlerNotFound(`${full} is not a function`);
  return fn;
}

// ---------------------------------------------------------------------------
// Invocations (runtime.md 4.3, 4.4).

const fnName = env.AWS_LAMBDA_FUNCTION_NAME;
const fnVersion = env.AWS_LAMBDA_FUNCTION_VERSION;
const fnMemory = env.AWS_LAMBDA_FUNCTION_MEMORY_SIZE;
const logGroup = env.AWS_LAMBDA_LOG_GROUP_NAME;
const logStream = env.AWS_LAMBDA_LOG_STREAM_NAME;

function jsonHeader(v) {
  if (v === undefined || v === '') return undefined;
  try {
    return JSON.parse(v);
  } catch {
    return undefined;
  }
}

function isThenable(r) {
  return r !== null && (typeof r === 'object' || typeof r === 'function') && typeof r.then === 'function';
}

function scheduleNext() {
  if (!dying) setImmediate(next);
}

function next() {
  if (dying) return;
  call('GET', NEXT_PATH, undefined, undefined, (status, headers, body) => {
    if (status !== 200) die(`GET ${NEXT_PATH}: HTTP ${status} ${body}`);
    const id = headers['lambda-runtime-aws-request-id'];
    if (!id) die(`GET ${NEXT_PATH}: no Lambda-Runtime-Aws-Request-Id header`);
    invoke(id, headers, body);
  });
}

function invoke(id, h, body) {
  invokeId = id;
  requestId = id;
  tenantId = h['lambda-runtime-aws-tenant-id'];
  const trace = h['lambda-runtime-trace-id'];
  if (trace === undefined) delete env._X_AMZN_TRACE_ID;
  else env._X_AMZN_TRACE_ID = trace;

  const idPath = apiBase + 'invocation/' + encodeURIComponent(id);
  const deadline = Number(h['lambda-runtime-deadline-ms']);
  let claimed = false; // only the first of callback/succeed/fail/done counts
  let returnedPromise = false;

  const postResult = (result) => {
    let s;
    try {
      s = JSON.stringify(result);
    } catch {
      postError(new Error('Unable to stringify response body'), true);
      return;
    }
    post(idPath + '/response', JSON_TYPE, s === undefined ? 'null' : s);
  };
  const postError = (err, log) => {
    if (log) logError('Invoke Error', formatted(err));
    post(idPath + '/error', JSON_TYPE, JSON.stringify(errorBody(err)));
  };
  const complete = (err, result) => {
    onBeforeExit = null;
    if (err !== undefined && err !== null) postError(err, true);
    else postResult(result);
  };

  const context = {
    callbackWaitsForEmptyEventLoop: true,
    succeed(result) {
      if (claimed) return;
      claimed = true;
      complete(null, result);
    },
    fail(err) {
      if (claimed) return;
      claimed = true;
      complete(err === undefined || err === null ? 'handled' : err);
    },
    done(err, result) {
      if (claimed) return;
      claimed = true;
      complete(err, result);
    },
    functionVersion: fnVersion,
    functionName: fnName,
    memoryLimitInMB: fnMemory,
    logGroupName: logGroup,
    logStreamName: logStream,
    clientContext: jsonHeader(h['lambda-runtime-client-context']),
    identity: jsonHeader(h['lambda-runtime-cognito-identity']),
    invokedFunctionArn: h['lambda-runtime-invoked-function-arn'],
    awsRequestId: id,
    tenantId,
    getRemainingTimeInMillis: () => deadline - Date.now(),
  };

  const callback = (err, result) => {
    if (claimed) return;
    claimed = true;
    if (err !== undefined && err !== null) {
      onBeforeExit = null;
      postError(err, true);
    } else if (context.callbackWaitsForEmptyEventLoop) {
      onBeforeExit = () => postResult(result);
    } else {
      onBeforeExit = null;
      postResult(result);
    }
  };

  // Nothing reported when the loop drains: a sync handler succeeds with
  // null, a pending promise fails with Runtime.NodeJsExit.
  onBeforeExit = () => {
    claimed = true;
    if (returnedPromise) postError(new NodeJsExit(NODEJS_EXIT_MESSAGE), false);
    else postResult(null);
  };

  try {
    const event = JSON.parse(body);
    if (streaming) {
      invokeStreaming(event, context, idPath, postError, () => {
        if (claimed) return false;
        claimed = true;
        onBeforeExit = null;
        return true;
      });
      returnedPromise = true;
      return;
    }
    const r = handler(event, context, callback);
    if (isThenable(r)) {
      returnedPromise = true;
      r.then(context.succeed, context.fail);
    }
  } catch (err) {
    callback(err);
  }
}

// invokeStreaming runs a streamifyResponse handler in buffered mode: what
// it writes is posted as one /response once the stream is ended. claim()
// returns false when the invoke was already reported.
function invokeStreaming(event, context, idPath, postError, claim) {
  let contentType = 'application/octet-stream';
  const chunks = [];
  const stream = new Writable({
    write(chunk, _enc, cb) {
      chunks.push(chunk);
      cb();
    },
  });
  stream.setContentType = (t) => {
    contentType = t;
  };
  const fail = (err) => {
    if (claim()) postError(err, true);
  };
  stream.on('finish', () => {
    if (claim()) post(idPath + '/response', contentType, Buffer.concat(chunks));
  });
  stream.on('error', fail);
  try {
    const r = handler(event, stream, context);
    if (isThenable(r)) r.then(undefined, fail);
  } catch (err) {
    fail(err);
  }
}

// ---------------------------------------------------------------------------
// Init.

try {
  handler = await loadHandler(env.LAMBDA_TASK_ROOT || process.cwd(), env._HANDLER || '');
  streaming = handler[STREAMING] === true;
} catch (err) {
  logError('Uncaught Exception', formatted(err));
  fatal(err, 129);
}
if (handler !== undefined && !dying) next();
