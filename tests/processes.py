"""The environment a process under test starts from."""

import os


def fresh_env(**extra: str) -> dict[str, str]:
    """This environment without any AWS, target or stack setting, plus fake credentials: so
    only what a test sets decides where the process goes."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("AWS_", "STACK_", "ALLOW_"))}
    return env | {"AWS_ACCESS_KEY_ID": "test", "AWS_SECRET_ACCESS_KEY": "test"} | extra
