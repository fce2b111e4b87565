def handler(event, context):
    return 1

x = = 1
