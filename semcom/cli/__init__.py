"""The ``semcom`` command line.

Every command group is one module of this package (``semcom/cli/<group>.py``), imported only
when used, so ``semcom --help`` does not pay for torch or sionna. To add one, put a ``click``
command or group in a new module here and name it in :data:`SUBCOMMANDS`. The commands parse
and check what the user typed and call the library; the work lives in the library modules.

User mistakes (:data:`semcom.errors.USER_ERRORS` and click's usage errors) are printed as one
line on stderr with exit code 2.
"""

from __future__ import annotations

import importlib
import importlib.util
import sys

import click

from semcom import __version__
from semcom.errors import USER_ERRORS

#: sub-command name -> ("module", "attribute", "one-line help")
SUBCOMMANDS: dict[str, tuple[str, str, str]] = {
    "assets": ("semcom.cli.assets", "assets", "Fetch and inspect the offline weight and data files."),
    "data": ("semcom.cli.data", "data", "Build and preview the multi-view datasets."),
    "link": ("semcom.cli.link", "link", "Simulate the physical layer: BER/BLER curves."),
    "metrics": ("semcom.cli.metrics", "metrics", "Compare two folders of images (PSNR, SSIM, LPIPS, FID, KID, psnr_fg, delta_e)."),
    "sweep": ("semcom.cli.sweep", "sweep", "Run an experiment grid and write tidy results."),
    "peers": ("semcom.cli.peers", "peers", "Peer imputers (SMVAE, MoPoE-VAE, MVAE): imputation tables."),
    "plot": ("semcom.cli.plot", "plot", "Plot a sweep's results: bandwidth vs FID/coherence, metrics vs SNR."),
    "train": ("semcom.cli.train", "train", "Train models: MVLD autoencoder and score network, view classifiers."),
    "impute": ("semcom.cli.impute", "impute", "Impute dropped views and show them next to the true ones."),
    "evaluate": ("semcom.cli.evaluate", "evaluate", "Imputation table: quality of imputed views per observed views."),
    "experiment": ("semcom.cli.experiment", "experiment", "Run the paper experiments (DiMViDA)."),
}


class LazyGroup(click.Group):
    """A click group whose sub-commands are imported on first use."""

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted(name for name in SUBCOMMANDS if _importable(SUBCOMMANDS[name][0]))

    def get_command(self, ctx: click.Context, name: str) -> click.Command | None:
        if name not in SUBCOMMANDS:
            return None
        module, attr, _ = SUBCOMMANDS[name]
        if not _importable(module):
            return None
        return getattr(importlib.import_module(module), attr)

    def format_commands(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        rows = [(name, SUBCOMMANDS[name][2]) for name in self.list_commands(ctx)]
        if rows:
            with formatter.section("Commands"):
                formatter.write_dl(rows)


def _importable(module: str) -> bool:
    return importlib.util.find_spec(module.rsplit(".", 1)[0]) is not None and (
        importlib.util.find_spec(module) is not None
    )


@click.group(cls=LazyGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="semcom")
def cli() -> None:
    """semcom: generative semantic communication of multi-view images.

    Send some camera views of a scene as quantised latents over simulated AWGN or Rayleigh
    channels (Sionna), regenerate the dropped or lost views with a multi-view latent diffusion
    receiver, and compare with bit-exact transmission.
    """


def main(argv: list[str] | None = None) -> None:
    """Entry point: run the CLI, turning user mistakes into one line and exit code 2."""
    try:
        code = cli.main(args=argv, prog_name="semcom", standalone_mode=False)
    except USER_ERRORS as err:
        click.echo(f"semcom: error: {err}", err=True)
        sys.exit(2)
    except click.UsageError as err:
        message = " ".join(err.format_message().split())
        cmd = err.ctx.command_path if err.ctx is not None else "semcom"
        click.echo(f"{cmd}: error: {message} (see '{cmd} --help')", err=True)
        sys.exit(2)
    except click.ClickException as err:
        click.echo(f"semcom: error: {err.format_message()}", err=True)
        sys.exit(err.exit_code)
    except click.Abort:
        click.echo("semcom: aborted", err=True)
        sys.exit(130)
    sys.exit(code if isinstance(code, int) else 0)
