import decimal


def none(event, context):
    return None


def noreturn(event, context):
    pass


def a_set(event, context):
    return {"s": {1, 2}}


def raw_bytes(event, context):
    return b"\x00raw\xffbytes"


def decimals(event, context):
    return {"price": decimal.Decimal("1.50"), "big": decimal.Decimal("12345678901234567890.123456789"),
            "nan": decimal.Decimal("NaN"), "list": [decimal.Decimal("-0"), decimal.Decimal("1E+2")],
            "text": "\u0000kindling"}


def floats(event, context):
    return [float("nan"), float("inf"), 0.1, 1e100]


def unicode(event, context):
    return {"s": "h\u00e9llo \u2603 \U0001F600"}


def echo(event, context):
    return event


def event_type(event, context):
    return {"type": type(event).__name__, "repr": repr(event)}


def circular(event, context):
    d = {}
    d["self"] = d
    return d


def not_callable(event, context):
    return object()


handler_value = 42
