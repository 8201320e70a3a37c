"""`rallypoynt` subcommands of the CRM; each module has add_parser(subparsers)."""
