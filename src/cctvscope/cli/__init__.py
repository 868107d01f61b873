"""The command-line interface (Typer): thin commands that call the workflows."""
