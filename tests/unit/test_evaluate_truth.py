"""`denialrisk evaluate --truth`: a generated history's oracles join the ingested claims by
claim id (oracle_* only, never its hidden factors); an unreadable or foreign file is a
one-line error with exit code 2 naming --truth."""

from __future__ import annotations

import pandas as pd
import pytest
import typer

from contract.frames import ClaimFrames
from denialrisk.commands.models import with_truth


def frames() -> ClaimFrames:
    claims = pd.DataFrame({"claim_id": pd.array(["A1", "A2"], dtype="string"),
                           "payer_id": ["MCR", "COA"]})
    return ClaimFrames(claims, pd.DataFrame({"claim_id": ["A1", "A2"], "line": [1, 1]}))


def test_oracles_join_by_claim_id_and_hidden_factors_stay_out(tmp_path):
    path = tmp_path / "truth.parquet"
    pd.DataFrame({"claim_id": ["A2", "A1"], "oracle_p_837": [0.7, 0.1],
                  "hidden_strictness": [1.0, 1.0]}).to_parquet(path)
    joined = with_truth(frames(), path).claims
    assert joined["oracle_p_837"].tolist() == [0.1, 0.7]
    assert "hidden_strictness" not in joined
    assert joined["claim_id"].dtype == frames().claims["claim_id"].dtype


@pytest.mark.parametrize("content", [None, b"not parquet", "no-oracles"])
def test_a_missing_unreadable_or_foreign_truth_file_exits_2(tmp_path, content, capsys):
    path = tmp_path / "truth.parquet"
    if content == "no-oracles":
        pd.DataFrame({"claim_id": ["A1"], "x": [1]}).to_parquet(path)
    elif content is not None:
        path.write_bytes(content)
    with pytest.raises(typer.Exit) as exit_:
        with_truth(frames(), path)
    assert exit_.value.exit_code == 2
    assert "--truth" in capsys.readouterr().err
