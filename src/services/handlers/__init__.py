"""The command handlers: each `async def handler(cmd, deps) -> result`, on the ports alone."""
