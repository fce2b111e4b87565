import os

_MISSING = object()


def _obj(o, names):
    if o is None:
        return None
    return {n: getattr(o, n, "<missing>") for n in names}


def handler(event, context):
    cc = context.client_context
    out = {
        "aws_request_id": context.aws_request_id,
        "invoked_function_arn": context.invoked_function_arn,
        "function_name": context.function_name,
        "function_version": context.function_version,
        "memory_limit_in_mb": context.memory_limit_in_mb,
        "log_group_name": context.log_group_name,
        "log_stream_name": context.log_stream_name,
        "tenant_id": context.tenant_id,
        "remaining": context.get_remaining_time_in_millis(),
        "identity": _obj(context.identity, ["cognito_identity_id", "cognito_identity_pool_id"]),
        "identity_type": type(context.identity).__name__,
        "client_context": None,
        "trace_env": os.environ.get("_X_AMZN_TRACE_ID", "<unset>"),
        "context_type": type(context).__name__,
    }
    if cc is not None:
        out["client_context"] = {
            "type": type(cc).__name__,
            "custom": cc.custom,
            "env": cc.env,
            "client": _obj(cc.client, ["installation_id", "app_title", "app_version_name",
                                       "app_version_code", "app_package_name"]),
            "client_type": type(cc.client).__name__,
        }
    return out
