"""The `meshlint` command (and `python -m meshlint`).

The collector is switched off before anything is imported: a short-lived process whose
objects form no cycles worth collecting would otherwise run collections over every module
and class it loads (~2 ms of a small run's ~80), and after the run over the whole model.
"""

import gc


def main() -> None:
    gc.disable()
    from meshlint.cli import main as run_cli

    run_cli()


if __name__ == "__main__":
    main()
