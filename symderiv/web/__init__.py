"""The local web page (`symderiv serve`): the CLI's commands behind a Starlette app on uvicorn.

The top layer, above symderiv.cli: it calls the same per-command `run_cli` functions the CLI does,
so a page and `POST /api/…` show exactly what the command line prints.
"""
