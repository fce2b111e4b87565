print("init started")


def _setup():
    raise RuntimeError("init failed")


_setup()


def handler(event, context):
    return "unreachable"
