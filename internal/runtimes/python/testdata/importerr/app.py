import this_dependency_does_not_exist


def handler(event, context):
    return "unreachable"
