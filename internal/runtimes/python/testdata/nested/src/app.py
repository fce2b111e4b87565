def handler(event, context):
    return "nested path"
