import os
import sys


def handler(event, context):
    return {"path0": sys.path[0], "cwd": os.getcwd(), "path": sys.path,
            "dont_write_bytecode": sys.dont_write_bytecode, "no_user_site": sys.flags.no_user_site,
            "unbuffered": sys.stdout.write_through and type(sys.stdout.buffer).__name__ == "FileIO", "main": sys.modules["__main__"].__file__,
            "stdout_encoding": sys.stdout.encoding}
