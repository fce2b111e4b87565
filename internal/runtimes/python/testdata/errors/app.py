import sys


class MyError(Exception):
    pass


def _helper(n):
    raise ValueError("boom %d" % n)


def value_error(event, context):
    _helper(1)


def custom(event, context):
    raise MyError("custom failure")


def empty(event, context):
    raise KeyError()


def multiline(event, context):
    raise RuntimeError("first line\nsecond line")


def exit3(event, context):
    print("about to exit")
    sys.exit(3)


def exit0(event, context):
    sys.exit(0)
