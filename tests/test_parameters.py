"""Notebook parameters: one converter for every shape a value arrives in, and one check with clear messages.

The papermill tests run the real notebooks with parameters given as text, the way ``papermill -p`` gives
them, and read the message the check cell raises.
"""

from pathlib import Path

import papermill
import pytest
from papermill.exceptions import PapermillExecutionError

import xxgk
from conftest import RAW
from handmade import corpus
from xxgk.analysis import parameters
from xxgk.run import batch
from xxgk.run.kernel import quiet
from xxgk.run.stream import write_corpus

NOTEBOOKS = Path(__file__).resolve().parents[1] / "notebooks"


@pytest.fixture(scope="module")
def data(tmp_path_factory):
    folder = tmp_path_factory.mktemp("data")
    xxgk.write_tables(corpus(), folder)
    return folder


@pytest.mark.parametrize(
    ("value", "type_name", "expected"),
    [
        ("平潭综合实验区", "list[str]", ["平潭综合实验区"]),  # papermill -p agencies 平潭综合实验区
        (
            '["平潭综合实验区"]',
            "list[str]",
            ["平潭综合实验区"],
        ),  # -p agencies '["…"]': not split into characters
        (2022, "list[int]", [2022]),  # -p years 2022 (papermill made it a number)
        ("2022", "list[int]", [2022]),
        ("[2021, 2023]", "list[int]", [2021, 2023]),
        ([2021, "2023"], "list[int]", [2021, 2023]),  # -y or the batch's YAML
        ("['0101', 0102]", "list[str]", ["0101", "0102"]),  # identifiers stay text, not octal or 101
        ("", "list[str]", []),
        ("0101", "str", "0101"),
        (" 2021 ", "int", 2021),
        ("no", "bool", False),
    ],
)
def test_one_converter_for_every_shape(value, type_name, expected):
    assert parameters.convert(value, type_name) == expected


@pytest.mark.parametrize(
    ("value", "type_name", "words"),
    [
        ("20x", "int", "not a whole number"),
        (1.5, "int", "not a whole number"),
        ("[1, [2]]", "list[int]", "not a list"),
    ],
)
def test_a_value_that_does_not_convert_says_so(value, type_name, words):
    with pytest.raises(ValueError, match=words):
        parameters.convert(value, type_name)


def test_the_batch_converts_with_the_same_function():
    assert batch.convert is parameters.convert
    assert not hasattr(batch, "_convert")


def test_check_names_each_bad_parameter_the_value_and_what_is_allowed(data):
    with pytest.raises(parameters.ParameterError) as err:
        parameters.check(data_dir=str(data), lang="fr", rank_by="foo", year=1999, agencies="丙局")
    message = str(err.value)
    assert "lang = 'fr'" in message and "'zh' (中文)" in message and "'en' (English)" in message
    assert "rank_by = 'foo'" in message and "'not_held_rate'" in message and "'backlog'" in message
    assert "year = 1999" in message and "2021, 2022" in message
    assert "agencies = ['丙局']" in message and "乙局" in message and "甲局" in message


def test_check_returns_typed_values(data):
    p = parameters.check(data_dir=str(data), lang="en", years="[2021]", agencies="甲局")
    assert (p.lang, p.years, p.agencies) == ("en", (2021,), ("甲局",))
    with pytest.raises(TypeError, match="knows no parameter"):
        parameters.check(langs="en")


def test_for_each_values_come_from_the_data(data):
    assert parameters.each("year", data) == [2021, 2022]
    assert parameters.each("year", data, min_reports=2) == [2021]
    assert parameters.each("agency", data) == ["乙局", "甲局"]
    assert parameters.each("agency", data, min_years=2) == ["甲局"]
    with pytest.raises(ValueError, match="use one of"):
        parameters.each("report", data)


def test_a_dataset_is_data_as_the_single_files_are(tmp_path):
    # `xxgk parse --layout dataset` writes no reports.parquet at the top: for_each and check read it too
    pytest.importorskip("fsspec")
    for layout in ("files", "dataset"):
        write_corpus([RAW], tmp_path / layout, layout=layout)
    files, dataset = str(tmp_path / "files"), str(tmp_path / "dataset")
    for key in ("year", "agency"):
        assert parameters.each(key, dataset) == parameters.each(key, files) != []
    assert parameters.check(data_dir=dataset, year=2024).year == 2024
    with pytest.raises(parameters.ParameterError, match="year = 1999"):
        parameters.check(data_dir=dataset, year=1999)


def _run(notebook: str, tmp_path, **given):
    """Run a committed notebook with parameters as text (what `papermill -p` passes for strings)."""
    return papermill.execute_notebook(
        str(NOTEBOOKS / notebook),
        str(tmp_path / f"{notebook}.out.ipynb"),
        parameters=given,
        cwd=str(NOTEBOOKS),
        progress_bar=False,
        **quiet(),
    )


def test_papermill_p_list_values_reach_the_notebook_as_lists(data, tmp_path):
    # -p agencies 甲局 -p years 2021: one value each; then the same as a JSON list string
    for agencies in ("甲局", '["甲局"]'):
        nb = _run("00-corpus-quality.ipynb", tmp_path, data_dir=str(data), agencies=agencies, years="2021")
        shown = "".join(
            o.get("data", {}).get("text/plain", "") for c in nb.cells for o in c.get("outputs", [])
        )
        assert "a2021" in shown and "b2021" not in shown and "a2022" not in shown


def test_papermill_p_bad_values_stop_at_the_check_cell_with_what_is_allowed(data, tmp_path):
    with pytest.raises(PapermillExecutionError) as err:
        _run("50-yearly-analysis.ipynb", tmp_path, data_dir=str(data), lang="fr", rank_by="foo", year="1999")
    assert err.value.ename == "ParameterError"
    assert "parameters.check(" in err.value.source  # the cell right after the parameters
    for words in (
        "lang = 'fr'",
        "'zh' (中文)",
        "rank_by = 'foo'",
        "'substantive_disclosure_rate'",
        "year = 1999",
        "2021, 2022",
    ):
        assert words in err.value.evalue
    with pytest.raises(PapermillExecutionError) as err:
        _run("40-agency-profile.ipynb", tmp_path, data_dir=str(data), agency="丙局")
    assert "agency = '丙局'" in err.value.evalue and "甲局" in err.value.evalue
