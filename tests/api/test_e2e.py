"""The end-to-end script, driven through the Django test client, and once over real HTTP."""

import json
import sys
from pathlib import Path

import pytest

from api.tokens import create_token
from evaluations.models import Evaluation, LineScore, State, Transition

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "scripts"))
import api_e2e


def client_caller(client):
    def call(method, path, token, body=None):
        kwargs = {"headers": {"Authorization": f"Bearer {token}"}}
        if body is not None:
            kwargs.update(data=json.dumps(body), content_type="application/json")
        response = getattr(client, method.lower())("/api" + path, **kwargs)
        return response.status_code, response.json() if response.content else None

    return call


def tokens_for(cast):
    return {
        "admin": create_token(cast.city_admin, "e2e")[1],
        "operator": create_token(cast.operator, "e2e")[1],
        "county": create_token(cast.county_reviewer, "e2e")[1],
        "city": create_token(cast.city_reviewer, "e2e")[1],
    }


@pytest.mark.django_db
def test_walk_to_city_reviewed_through_the_api(cast, standard_version, client):
    out = api_e2e.Walk(client_caller(client), tokens_for(cast), log=lambda _: None).run(2030)
    ev = Evaluation.objects.get(pk=out["evaluation"]["id"])
    # Publication follows the period's notice (公示, at least five working days): the walk ends before it.
    assert ev.state == State.CITY_REVIEWED and ev.published_at is None
    assert ev.community == cast.community and ev.period.year == 2030
    steps = list(Transition.objects.filter(evaluation=ev).values_list("action", flat=True))
    assert steps == ["submit", "county_start", "county_pass", "city_start", "city_complete"]
    standard = ev.period.standard.standard
    for stage in ("self", "county", "city"):
        expected = {line.id for line in standard.lines if stage in line.stages}
        got = set(LineScore.objects.filter(evaluation=ev, stage=stage, score__isnull=False).values_list("line_id", flat=True))
        assert got == expected, stage
    assert ev.city_total is not None and out["evaluation"]["city_total"] == float(ev.city_total)


@pytest.mark.django_db
def test_walk_stops_with_the_chinese_refusal(cast, standard_version, client):
    tokens = tokens_for(cast)
    tokens["admin"] = tokens["operator"]  # an operator cannot open a period
    with pytest.raises(api_e2e.ApiFailure, match="403"):
        api_e2e.Walk(client_caller(client), tokens, log=lambda _: None).run(2031)


@pytest.mark.django_db(transaction=True)
def test_script_over_http(cast, standard_version, live_server, capsys):
    tokens = tokens_for(cast)
    code = api_e2e.main([
        "--base", live_server.url, "--token", tokens["admin"], "--operator-token", tokens["operator"],
        "--county-token", tokens["county"], "--city-token", tokens["city"], "--year", "2032",
    ])
    out = capsys.readouterr()
    assert code == 0, out.err
    assert "市级已复核" in out.out
    assert Evaluation.objects.get(period__year=2032).state == State.CITY_REVIEWED
