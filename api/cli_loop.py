"""`cityops responsibility ...`: the responsibility table (依责承接) that dispatch proposes units from.

    cityops responsibility load FILE     the table becomes the file's rows (CSV: category,std_code,area_code,unit,rank)
    cityops responsibility show          prints the table in force, as a file `load` takes back

The most specific row wins for an incident: a standard code over its whole category, then the longest area
prefix, then the lowest rank (docs/LOOP.md). The file is checked whole before anything changes."""

from __future__ import annotations

import click

from api.cli_common import URL, fail, open_engine
from data.read import responsibility as reads
from data.write import responsibility
from data.write.writes import WriteError


@click.group("responsibility", help="Who handles what where (依责承接): the units dispatch proposes first.")
def responsibility_cmd() -> None:
    pass


@responsibility_cmd.command("load")
@click.argument("file", type=click.Path(dir_okay=False))
@URL
def load(file, url):
    try:
        n = responsibility.replace_table(open_engine(url), responsibility.read_file(file))
    except WriteError as exc:
        fail(exc)
    click.echo(f"responsibility table: {n} rows from {file}")


@responsibility_cmd.command("show")
@URL
def show(url):
    click.echo(",".join(responsibility.FIELDS))
    for row in reads.table(open_engine(url)):
        click.echo(",".join(str(row[f]) for f in responsibility.FIELDS))
