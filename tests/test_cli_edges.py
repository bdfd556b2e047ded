"""Small CLI contracts: checking nothing is a usage error; empty charter settings are errors."""

from __future__ import annotations

import json

from click.testing import CliRunner

from touchdsl.cli import cli


def test_a_folder_without_touch_files_is_a_usage_error(tmp_path):
    (tmp_path / "readme.txt").write_text("not a touch file", encoding="utf-8")
    result = CliRunner().invoke(cli, ["check", str(tmp_path)])
    assert result.exit_code == 2
    assert "no .touch files found" in result.output


def test_an_empty_charter_setting_is_reported(tmp_path):
    (tmp_path / "d.touch").write_text('defaults {\n    charter title ""\n}\n', encoding="utf-8")
    result = CliRunner().invoke(cli, ["check", str(tmp_path), "--format", "json"])
    assert result.exit_code == 1
    [d] = json.loads(result.output)["diagnostics"]
    assert (d["code"], d["line"], d["column"]) == ("TD310", 2, 19)
