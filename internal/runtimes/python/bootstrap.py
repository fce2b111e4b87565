# Kindling Python runtime bootstrap.
#
# Run as `/usr/bin/python3 -u -s -B <this file>` (see Args in python.go) with
# cwd = the function's code directory. It implements the Lambda Runtime API
# client loop and the behaviour of the AWS Python runtime interface client:
# handler resolution, error bodies, JSON result encoding, the context object
# and the logging format. It is written for Kindling from the documented
# behaviour; see the reference runtime.md sections 1, 2.1 and 5.
#
# Environment it reads (in main(), never at import time):
#   AWS_LAMBDA_RUNTIME_API   host:port[/prefix] of the Runtime API (required)
#   _HANDLER                 handler string, e.g. "app.handler", "src/app.fn"
#   LAMBDA_TASK_ROOT         code directory, put first on sys.path (fallback: cwd)
#   AWS_LAMBDA_FUNCTION_NAME, _VERSION, _MEMORY_SIZE, AWS_LAMBDA_LOG_GROUP_NAME,
#   AWS_LAMBDA_LOG_STREAM_NAME                        context fields
#   AWS_LAMBDA_LOG_FORMAT (Text|JSON), AWS_LAMBDA_LOG_LEVEL   logging
#   AWS_EXECUTION_ENV        AWS_Lambda_python3.12 and later: results are
#                            encoded with ensure_ascii=False
#
# Exit codes: 1 after an init error (posted to /init/error first) and when the
# Runtime API cannot be used (one line on stderr); the handler's own code when
# it calls sys.exit() (nothing is posted for that invocation).
#
# Output: print() output and log records go to stdout (fd 1). Every line an
# invocation printed or logged is flushed before its /response or /error
# request is sent.
#
# Structure: everything at module level is the expensive, function-independent
# part (interpreter start-up and the bootstrap's own imports). main() reads the
# environment, configures logging, loads the user's handler and runs the loop,
# so a pre-initialised interpreter can import this file and call main() in a
# forked child. No socket is opened before main() runs.

import http.client
import importlib
import json
import logging
import os
import socket
import sys
import time
import traceback

_API_VERSION = "2018-06-01"
_USER_AGENT = "kindling-python/%d.%d.%d" % sys.version_info[:3]
_JSON = "application/json"

# Error types (runtime.md 5.1, 5.2).
_MALFORMED_HANDLER_NAME = "Runtime.MalformedHandlerName"
_BUILT_IN_MODULE_CONFLICT = "Runtime.BuiltInModuleConflict"
_IMPORT_MODULE_ERROR = "Runtime.ImportModuleError"
_USER_CODE_SYNTAX_ERROR = "Runtime.UserCodeSyntaxError"
_HANDLER_NOT_FOUND = "Runtime.HandlerNotFound"
_UNMARSHAL_ERROR = "Runtime.UnmarshalError"
_MARSHAL_ERROR = "Runtime.MarshalError"
_CONTEXT_UNMARSHAL_ERROR = "Runtime.LambdaContextUnmarshalError"

# Logged (at WARNING, through the root logger) before an init error.
_UNHANDLED_WARNING = (
    "LAMBDA_WARNING: Unhandled exception. "
    "The most likely cause is an issue in the function code. "
    "However, in rare cases, a Lambda runtime update can cause unexpected function behavior. "
    "For functions using managed runtimes, runtime updates can be triggered by a function change, "
    "or can be applied automatically. "
    "To determine if the runtime has been updated, check the runtime version in the INIT_START log entry. "
    "If this error correlates with a change in the runtime version, you may be able to mitigate this "
    "error by temporarily rolling back to the previous runtime version. "
    "For more information, see https://docs.aws.amazon.com/lambda/latest/dg/runtimes-update.html"
)

# The unhandled-error log line (runtime.md 5.4): lines joined with "\r",
# leading spaces of trace lines turned into NO-BREAK SPACE.
_LINE_SEP = "\r"
_INDENT = "\u00a0"

# AWS_EXECUTION_ENV values whose results are encoded with ensure_ascii=False
# (runtime.md 5.2).
_NON_ASCII_ENVS = frozenset("AWS_Lambda_python3.%d" % v for v in (12, 13, 14, 15))

# The request id and tenant id the log records carry; set when /next hands
# over an event and kept until the next one ("" before the first).
_request_id = None
_tenant_id = None


class _Fault(Exception):
    """A runtime-detected failure with a fixed Lambda error type."""

    def __init__(self, error_type, message, trace=None):
        Exception.__init__(self, message)
        self.error_type = error_type
        self.message = message
        self.trace = trace


def _die(message):
    """Reports a broken Runtime API on stderr and exits with 1."""
    _flush_output()
    try:
        os.write(2, ("kindling-python-bootstrap: %s\n" % message).encode("utf-8", "replace"))
    except OSError:
        pass
    os._exit(1)


def _flush_output():
    """Pushes whatever user code left in Python-level buffers to the fds."""
    seen = []
    for stream in (sys.stdout, sys.stderr, sys.__stdout__, sys.__stderr__):
        if stream is None or any(stream is s for s in seen):
            continue
        seen.append(stream)
        try:
            stream.flush()
        except Exception:
            pass


# ---------------------------------------------------------------------------
# Runtime API client (runtime.md 1): one persistent HTTP/1.1 connection,
# opened on first use and never shared across a fork.


class _RuntimeAPI(object):
    def __init__(self, address):
        hostport, _, prefix = address.partition("/")
        prefix = prefix.strip("/")
        self._hostport = hostport
        self._base = ("/" + prefix if prefix else "") + "/" + _API_VERSION + "/runtime/"
        self._conn = None
        self._used = False  # the open connection has carried a request

    def _close(self):
        if self._conn is not None:
            try:
                self._conn.close()
            except Exception:
                pass
        self._conn = None
        self._used = False

    def _connection(self):
        if self._conn is None:
            # timeout=None: /next blocks for as long as the platform likes,
            # whatever socket.setdefaulttimeout() user code called.
            conn = http.client.HTTPConnection(self._hostport, timeout=None)
            conn.connect()
            try:
                conn.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
            except OSError:
                pass
            self._conn = conn
        return self._conn

    def _call(self, method, path, body=None, headers=None):
        """Returns (status, headers, body). A failure on a reused keep-alive
        connection (the server closed it while idle) is retried once on a new
        one; any other failure ends the process."""
        url = self._base + path
        hdrs = {"User-Agent": _USER_AGENT}
        if headers:
            hdrs.update(headers)
        for attempt in (1, 2):
            reused = self._used
            try:
                conn = self._connection()
                conn.request(method, url, body=body, headers=hdrs)
                resp = conn.getresponse()
                data = resp.read()
            except (OSError, http.client.HTTPException) as e:
                self._close()
                if attempt == 1 and reused:
                    continue
                _die("%s %s: %s" % (method, url, _str(e) or type(e).__name__))
            self._used = True
            if resp.will_close:
                self._close()
            return resp.status, resp.headers, data

    def next(self):
        status, headers, body = self._call("GET", "invocation/next")
        if status != 200:
            _die("GET %sinvocation/next: HTTP %d %s" % (self._base, status, body[:500]))
        return headers, body

    def _post(self, path, body, headers):
        status, _, resp = self._call("POST", path, body, headers)
        if status >= 500:
            # "Container error. Non-recoverable state. Runtime should exit
            # promptly." (runtime.md 1.3)
            _die("POST %s%s: HTTP %d %s" % (self._base, path, status, resp[:500]))
        # 4xx (stale request id, payload too large, ...): the platform has
        # already decided the invocation's outcome; go on with /next.

    def post_response(self, request_id, body, content_type):
        self._post("invocation/%s/response" % request_id, body, {"Content-Type": content_type})

    def post_error(self, request_id, body):
        self._post("invocation/%s/error" % request_id, body, {"Content-Type": _JSON})

    def post_init_error(self, body, error_type):
        headers = {"Content-Type": _JSON}
        if error_type and all(" " <= c <= "~" for c in error_type):
            headers["Lambda-Runtime-Function-Error-Type"] = error_type
        else:
            headers["Lambda-Runtime-Function-Error-Type"] = "Runtime.Unknown"
        self._post("init/error", body, headers)


# ---------------------------------------------------------------------------
# JSON (runtime.md 5.2): default separators (", " and ": "), NaN allowed,
# Decimal written as its own digits, ensure_ascii=False for python3.12+.

_ensure_ascii = True
_RAW_MARK = "\x00kindling-raw-%s-" % os.urandom(6).hex()


def _to_json(obj):
    raws = []

    def default(o):
        dec = sys.modules.get("decimal")  # no Decimal exists unless imported
        if dec is not None and isinstance(o, dec.Decimal):
            raws.append("NaN" if o.is_nan() else str(o))
            return "%s%d\x00" % (_RAW_MARK, len(raws) - 1)
        raise TypeError("Object of type %s is not JSON serializable" % o.__class__.__name__)

    s = json.JSONEncoder(ensure_ascii=_ensure_ascii, default=default).encode(obj)
    if raws:
        mark = json.dumps(_RAW_MARK)[:-1]  # '"\u0000kindling-raw-...-' without the closing quote
        for i, raw in enumerate(raws):
            s = s.replace("%s%d\\u0000\"" % (mark, i), raw, 1)
    return s


def _marshal(result):
    """Returns (body bytes, content type) for a handler's result."""
    if isinstance(result, bytes):
        return result, "application/unknown"
    try:
        return _to_json(result).encode("utf-8"), _JSON
    except Exception as e:
        raise _Fault(_MARSHAL_ERROR, "Unable to marshal response: %s" % _str(e))


def _unmarshal(body, content_type):
    if content_type != _JSON:
        return body
    try:
        return json.loads(body)
    except Exception as e:
        raise _Fault(_UNMARSHAL_ERROR, "Unable to unmarshal input: %s" % _str(e))


def _str(value):
    try:
        return str(value)
    except Exception:
        return "<unprintable %s object>" % type(value).__name__


# ---------------------------------------------------------------------------
# Error bodies (runtime.md 5.1, 5.2).


def _error(message, error_type, trace, request_id=None):
    return {
        "errorMessage": message or "",
        "errorType": error_type or "",
        "requestId": request_id if request_id is not None else "",
        "stackTrace": trace or [],
    }


def _error_from_exception(exc, request_id=None):
    """The body for an exception raised by user code: class name, str(),
    and the traceback.format_list lines without this file's leading frames."""
    frames = [(f.filename, f.lineno, f.name, f.line) for f in traceback.extract_tb(exc.__traceback__)]
    for i, frame in enumerate(frames):
        if "/bootstrap.py" not in frame[0]:
            frames = frames[i:]
            break
    return _error(_str(exc), type(exc).__name__, traceback.format_list(frames), request_id)


def _error_from_fault(fault, request_id=None):
    return _error(fault.message, fault.error_type, fault.trace, request_id)


def _encode_error(err):
    try:
        return _to_json(err).encode("utf-8", "replace")
    except Exception:
        return json.dumps(err, default=_str).encode("utf-8", "replace")


def _indent(line):
    n = len(line) - len(line.lstrip(" "))
    return _INDENT * n + line[n:]


def _log_error(err):
    """Writes the unhandled-error log line (runtime.md 5.4)."""
    if _json_logs:
        rec = {"timestamp": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()), "level": "ERROR"}
        rec.update(err)
        try:
            line = _to_json(rec)
        except Exception:
            line = json.dumps(rec, default=_str)
        _write_log(line + "\n")
        return
    head = "[ERROR]"
    if err.get("errorType"):
        head += " " + err["errorType"]
    if err.get("errorMessage"):
        if err.get("errorType"):
            head += ":"
        head += " " + err["errorMessage"]
    lines = [head]
    trace = err.get("stackTrace")
    if trace is not None:
        lines.append("Traceback (most recent call last):")
        for element in trace:
            if element == "":
                lines.append("")
            else:
                lines.extend(_indent(l) for l in element.splitlines())
    _write_log(_LINE_SEP.join(lines) + "\n")


# ---------------------------------------------------------------------------
# Logging (runtime.md 5.4).

_json_logs = False


def _write_log(s):
    # Like the real runtime, log output follows sys.stdout.
    try:
        sys.stdout.write(s)
    except Exception:
        pass


class _LogHandler(logging.Handler):
    """The root logger's handler: one record, formatted, to stdout."""

    def emit(self, record):
        try:
            msg = self.format(record)
            if not msg.endswith("\n"):
                # A traceback (logger.exception) ends without a newline;
                # the next output must not be glued to its last line.
                msg += "\n"
            _write_log(msg)
        except Exception:
            self.handleError(record)


class _LogFilter(logging.Filter):
    def filter(self, record):
        record.aws_request_id = _request_id or ""
        record.tenant_id = _tenant_id
        return True


# LogRecord attributes that never become extra JSON fields.
_RESERVED = frozenset((
    "name", "msg", "args", "levelname", "levelno", "pathname", "filename", "module",
    "exc_info", "exc_text", "stack_info", "lineno", "funcName", "created", "msecs",
    "relativeCreated", "thread", "threadName", "processName", "process",
    "aws_request_id", "tenant_id", "_frame_type",
))


class _JSONFormatter(logging.Formatter):
    _encoder = json.JSONEncoder(ensure_ascii=False)

    def format(self, record):
        level = min(50, max(0, record.levelno)) // 10 * 10
        record.levelno = level
        record.levelname = logging.getLevelName(level)
        exc = record.exc_info
        ts = time.gmtime(record.created)
        out = {
            "timestamp": "%s.%03dZ" % (time.strftime("%Y-%m-%dT%H:%M:%S", ts), int(record.created * 1000) % 1000),
            "level": record.levelname,
            "message": record.getMessage(),
            "logger": record.name,
            "stackTrace": traceback.format_tb(exc[2]) if exc else None,
            "errorType": exc[0].__name__ if exc else None,
            "errorMessage": _str(exc[1]) if exc else None,
            "requestId": getattr(record, "aws_request_id", None),
            "location": "%s:%s:%s" % (record.pathname, record.funcName, record.lineno) if exc else None,
        }
        if getattr(record, "tenant_id", None) is not None:
            out["tenantId"] = record.tenant_id
        for key, value in record.__dict__.items():
            if key not in _RESERVED and key not in out:
                out[key] = value
        return self._encoder.encode({k: v for k, v in out.items() if v is not None}) + "\n"


def _setup_logging(log_format, log_level):
    global _json_logs
    _json_logs = (log_format or "").upper() == "JSON"
    # UTC times for every logging.Formatter, as in the real runtime.
    logging.Formatter.converter = time.gmtime
    handler = _LogHandler()
    if _json_logs:
        handler.setFormatter(_JSONFormatter())
    else:
        handler.setFormatter(logging.Formatter(
            "[%(levelname)s]\t%(asctime)s.%(msecs)03dZ\t%(aws_request_id)s\t%(message)s\n",
            "%Y-%m-%dT%H:%M:%S",
        ))
    handler.addFilter(_LogFilter())
    root = logging.getLogger()
    level = (log_level or "").upper()
    if level == "TRACE":
        level = "DEBUG"
    if level in ("CRITICAL", "FATAL", "ERROR", "WARN", "WARNING", "INFO", "DEBUG", "NOTSET"):
        root.setLevel(level)
    root.addHandler(handler)


# ---------------------------------------------------------------------------
# The context object (runtime.md 5.3).


def _fill(obj, values):
    for name in obj.__slots__:
        setattr(obj, name, values.get(name))
    return obj


class Client(object):
    __slots__ = ("installation_id", "app_title", "app_version_name", "app_version_code", "app_package_name")

    def __repr__(self):
        return "Client([%s])" % ",".join("%s=%s" % (n, getattr(self, n)) for n in self.__slots__)


class ClientContext(object):
    __slots__ = ("custom", "env", "client")

    def __repr__(self):
        return "ClientContext([custom=%s,env=%s,client=%s])" % (self.custom, self.env, self.client)


class CognitoIdentity(object):
    __slots__ = ("cognito_identity_id", "cognito_identity_pool_id")

    def __repr__(self):
        return "CognitoIdentity([cognito_identity_id=%s,cognito_identity_pool_id=%s])" % (
            self.cognito_identity_id, self.cognito_identity_pool_id)


class LambdaContext(object):
    def __init__(self, request_id, client_context, identity, deadline_ms, invoked_function_arn, tenant_id):
        env = os.environ
        self.aws_request_id = request_id
        self.log_group_name = env.get("AWS_LAMBDA_LOG_GROUP_NAME")
        self.log_stream_name = env.get("AWS_LAMBDA_LOG_STREAM_NAME")
        self.function_name = env.get("AWS_LAMBDA_FUNCTION_NAME")
        self.memory_limit_in_mb = env.get("AWS_LAMBDA_FUNCTION_MEMORY_SIZE")
        self.function_version = env.get("AWS_LAMBDA_FUNCTION_VERSION")
        self.invoked_function_arn = invoked_function_arn
        self.tenant_id = tenant_id
        self.client_context = None
        if client_context is not None:
            self.client_context = _fill(ClientContext(), client_context)
            if self.client_context.client is not None:
                self.client_context.client = _fill(Client(), self.client_context.client)
        self.identity = _fill(CognitoIdentity(), {})
        if identity is not None:
            self.identity.cognito_identity_id = identity.get("cognitoIdentityId")
            self.identity.cognito_identity_pool_id = identity.get("cognitoIdentityPoolId")
        self._deadline_ms = deadline_ms

    def get_remaining_time_in_millis(self):
        remaining = self._deadline_ms - int(time.time() * 1000)
        return remaining if remaining > 0 else 0

    def log(self, msg):
        _write_log(str(msg))

    def __repr__(self):
        return (
            "LambdaContext([aws_request_id=%s,log_group_name=%s,log_stream_name=%s,function_name=%s,"
            "memory_limit_in_mb=%s,function_version=%s,invoked_function_arn=%s,client_context=%s,"
            "identity=%s,tenant_id=%s])" % (
                self.aws_request_id, self.log_group_name, self.log_stream_name, self.function_name,
                self.memory_limit_in_mb, self.function_version, self.invoked_function_arn,
                self.client_context, self.identity, self.tenant_id)
        )


def _json_header(value, name):
    if not value:
        return None
    try:
        return json.loads(value)
    except Exception as e:
        raise _Fault(_CONTEXT_UNMARSHAL_ERROR, "Unable to parse %s JSON: %s" % (name, _str(e)))


# ---------------------------------------------------------------------------
# Handler resolution (runtime.md 5.1).


def _load_handler(handler):
    parts = handler.rsplit(".", 1)
    try:
        module_name, function_name = parts
    except ValueError as e:
        raise _Fault(_MALFORMED_HANDLER_NAME, "Bad handler '%s': %s" % (handler, e))
    if module_name.split(".")[0] in sys.builtin_module_names:
        raise _Fault(_BUILT_IN_MODULE_CONFLICT,
                     "Cannot use built-in module %s as a handler module" % module_name)
    try:
        module = importlib.import_module(module_name.replace("/", "."))
    except ImportError as e:
        raise _Fault(_IMPORT_MODULE_ERROR, "Unable to import module '%s': %s" % (module_name, e))
    except SyntaxError as e:
        trace = ['  File "%s" Line %s\n    %s' % (e.filename, e.lineno, e.text)]
        raise _Fault(_USER_CODE_SYNTAX_ERROR, "Syntax error in module '%s': %s" % (module_name, e), trace)
    try:
        return getattr(module, function_name)
    except AttributeError:
        raise _Fault(_HANDLER_NOT_FOUND, "Handler '%s' missing on module '%s'" % (function_name, module_name))


# ---------------------------------------------------------------------------
# Invocations (runtime.md 5.2, 5.3).


def _invoke(api, handler, headers, body):
    global _request_id, _tenant_id
    request_id = headers.get("Lambda-Runtime-Aws-Request-Id")
    if not request_id:
        _die("GET /next: no Lambda-Runtime-Aws-Request-Id header")
    _request_id = request_id
    _tenant_id = headers.get("Lambda-Runtime-Aws-Tenant-Id")
    trace_id = headers.get("Lambda-Runtime-Trace-Id")
    if trace_id is not None:
        os.environ["_X_AMZN_TRACE_ID"] = trace_id
    else:
        os.environ.pop("_X_AMZN_TRACE_ID", None)
    try:
        deadline_ms = int(headers.get("Lambda-Runtime-Deadline-Ms") or 0)
    except ValueError:
        deadline_ms = 0

    err = None
    try:
        context = LambdaContext(
            request_id,
            _json_header(headers.get("Lambda-Runtime-Client-Context"), "Client Context"),
            _json_header(headers.get("Lambda-Runtime-Cognito-Identity"), "Cognito Identity"),
            deadline_ms,
            headers.get("Lambda-Runtime-Invoked-Function-Arn"),
            _tenant_id,
        )
        event = _unmarshal(body, headers.get("Content-Type"))
        result = handler(event, context)
        payload, content_type = _marshal(result)
    except _Fault as f:
        err = _error_from_fault(f, request_id)
    except Exception as e:
        err = _error_from_exception(e, request_id)

    if err is not None:
        _log_error(err)
        _flush_output()
        api.post_error(request_id, _encode_error(err))
    else:
        _flush_output()
        api.post_response(request_id, payload, content_type)


def _init_failed(api, err):
    logging.warning(_UNHANDLED_WARNING)
    _log_error(err)
    _flush_output()
    api.post_init_error(_encode_error(err), err["errorType"])
    sys.exit(1)


def _prepare_sys_path(task_root):
    """Puts the code directory first on sys.path, in place of this file's
    own directory (python puts the script's directory there)."""
    here = os.path.dirname(os.path.abspath(__file__))
    if sys.path and sys.path[0] and os.path.abspath(sys.path[0]) == here:
        del sys.path[0]
    if not sys.path or sys.path[0] != task_root:
        sys.path.insert(0, task_root)


def main():
    global _ensure_ascii
    env = os.environ
    if "--drop-coerced-locale" in sys.argv[1:]:
        # Python's C-locale coercion (PEP 538) added LC_CTYPE to the
        # environment the server gave us; the function should not see it.
        env.pop("LC_CTYPE", None)
    address = env.get("AWS_LAMBDA_RUNTIME_API")
    if not address:
        _die("AWS_LAMBDA_RUNTIME_API is not set")
    api = _RuntimeAPI(address)
    _ensure_ascii = env.get("AWS_EXECUTION_ENV") not in _NON_ASCII_ENVS
    for stream in (sys.stdout, sys.stderr):
        if stream is not None and (getattr(stream, "encoding", "") or "").lower().replace("-", "") != "utf8":
            try:
                stream.reconfigure(encoding="utf-8")
            except Exception:
                pass
    _setup_logging(env.get("AWS_LAMBDA_LOG_FORMAT"), env.get("AWS_LAMBDA_LOG_LEVEL"))
    _prepare_sys_path(env.get("LAMBDA_TASK_ROOT") or os.getcwd())

    try:
        handler = _load_handler(env.get("_HANDLER", ""))
    except _Fault as f:
        _init_failed(api, _error_from_fault(f))
    except Exception as e:
        _init_failed(api, _error_from_exception(e))

    while True:
        headers, body = api.next()
        _invoke(api, handler, headers, body)


if __name__ == "__main__":
    main()
