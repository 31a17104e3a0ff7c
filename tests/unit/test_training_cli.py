"""`denialrisk train|evaluate` user errors are one line, no traceback."""

from typer.testing import CliRunner

from denialrisk.cli import app

runner = CliRunner()


def test_train_missing_data_set(tmp_path):
    result = runner.invoke(app, ["train", "--data", str(tmp_path / "nope")])
    assert result.exit_code == 2
    assert "error: data set not found" in result.output
    assert "Traceback" not in result.output


def test_evaluate_without_models(tmp_path):
    result = runner.invoke(app, ["evaluate", "--data", str(tmp_path), "--models-dir",
                                 str(tmp_path / "models")])
    assert result.exit_code == 2 and "no trained model bundles" in result.output


def test_train_rejects_unknown_engine(tmp_path):
    result = runner.invoke(app, ["train", "--engine", "spark", "--data", str(tmp_path)])
    assert result.exit_code == 2 and "Input should be 'local' or 'dask'" in result.output


def test_evaluate_champions_without_a_store(tmp_path):
    result = runner.invoke(app, ["evaluate", "--champions", "--data", str(tmp_path),
                                 "--bentoml-home", str(tmp_path / "bentoml")])
    assert result.exit_code == 2 and "no denialrisk models in the BentoML store" in \
        result.output
    assert "Traceback" not in result.output
