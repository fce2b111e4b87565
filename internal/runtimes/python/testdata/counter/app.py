import os

count = 0


def handler(event, context):
    global count
    count += 1
    return {"count": count, "pid": os.getpid()}
