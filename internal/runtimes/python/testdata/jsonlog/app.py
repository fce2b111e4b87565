import logging

logging.info("init info")
logging.warning("init warning")


def handler(event, context):
    logging.debug("d")
    logging.info("i")
    logging.warning("w %s", "arg", extra={"k": "v", "n": 3})
    logging.getLogger("mylogger").error("named")
    try:
        raise KeyError("caught")
    except KeyError:
        logging.exception("with exception")
    print("plain print")
    return "ok"


def fail(event, context):
    raise ValueError("json failure")
