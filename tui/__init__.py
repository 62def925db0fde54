"""margin's terminal face: the Textual app and the command line.

Importing this package must stay cheap: the CLI commands never import Textual.
"""
