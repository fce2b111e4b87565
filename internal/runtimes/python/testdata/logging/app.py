import logging
import sys

logger = logging.getLogger()
logger.setLevel(logging.DEBUG)
logger.info("init log")
print("init print")


def levels(event, context):
    logger.debug("d")
    logger.info("i %s %d", "fmt", 7)
    logger.warning("w")
    logger.error("e")
    logger.critical("c")
    logging.getLogger("child").info("from child")
    print("plain print")
    print("to stderr", file=sys.stderr)
    logger.info("line1\nline2")
    try:
        raise ValueError("caught")
    except ValueError:
        logger.exception("with traceback")
    print("after exception")
    context.log("context log line\n")
    logger.info("extra", extra={"k": "v", "n": 3})
    return "ok"


def big(event, context):
    for i in range(1000):
        print("print line", i)
        logger.info("log line %d", i)
    sys.stderr.write("stderr tail\n")
    return "big"


def buffered(event, context):
    # Output held in a Python-level buffer must still reach the pipe
    # before the response.
    import io
    import os
    f = io.TextIOWrapper(io.BufferedWriter(io.FileIO(os.dup(1), "w")), write_through=False)
    sys.stdout = f
    print("held in a buffer")
    return "buffered"


def fail(event, context):
    logger.info("before failure")
    raise ValueError("logged failure")
