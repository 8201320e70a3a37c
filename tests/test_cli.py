"""The `rallypoynt` command, run as a real subprocess against a temporary SQLite file."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from rallypoynt.demo.crm import LEADS

# Every command here runs on a SQLite file of its own (DATABASE_URL is dropped).
pytestmark = [pytest.mark.slow_cli, pytest.mark.own_database]


@pytest.fixture(scope="module")
def cli_env(tmp_path_factory):
    var = tmp_path_factory.mktemp("var")
    skip = {"DATABASE_URL", "DJANGO_ALLOW_ASYNC_UNSAFE"}
    env = {k: v for k, v in os.environ.items() if k not in skip}
    env.update(RALLYPOYNT_VAR_DIR=str(var), COLUMNS="120")
    return env


def rp(env, *args, check=True):
    result = subprocess.run(
        [sys.executable, "-m", "rallypoynt.cli", *args],
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    if check and result.returncode != 0:
        raise AssertionError(f"{args} failed:\n{result.stdout}\n{result.stderr}")
    return result


def test_help_lists_every_command(cli_env):
    out = rp(cli_env, "--help").stdout
    for command in (
        "serve",
        "worker",
        "migrate",
        "demo",
        "createorg",
        "createuser",
        "bench",
        "manage",
    ):
        assert command in out
    assert "--scale" in rp(cli_env, "demo", "--help").stdout


def test_demo_is_idempotent_and_prints_the_logins(cli_env):
    first = rp(cli_env, "demo", "--scale", "150")
    assert "broker@demo.rallypoynt.test" in first.stderr
    assert "150 new contacts" in first.stderr
    second = rp(cli_env, "demo", "--scale", "150")
    assert "0 new contacts" in second.stderr
    count = rp(
        cli_env,
        "manage",
        "shell",
        "-c",
        "from rallypoynt.contacts.models import Contact; print(Contact.objects.count())",
    )
    # 150 generated people + the demo's recent leads + the solo agent's 20 contacts.
    assert int(count.stdout.split()[-1]) == 150 + len(LEADS) + 20


def test_createuser_and_createorg_then_join_with_a_role(cli_env):
    rp(cli_env, "migrate")
    rp(
        cli_env,
        "createuser",
        "owner@solo-homes.example.com",
        "--password",
        "a-long-pass-phrase-77",
        "--first-name",
        "Jo",
    )
    rp(
        cli_env,
        "createorg",
        "Jo Sells Homes",
        "--owner",
        "owner@solo-homes.example.com",
        "--time-zone",
        "America/Los_Angeles",
        "--subdivision",
        "CA",
    )
    rp(
        cli_env,
        "createuser",
        "tc@solo-homes.example.com",
        "--password",
        "a-long-pass-phrase-78",
        "--org",
        "jo-sells-homes",
        "--role",
        "transaction_coordinator",
    )
    out = rp(
        cli_env,
        "manage",
        "shell",
        "-c",
        "from rallypoynt.orgs.models import MembershipRole as R;"
        "print(sorted(R.objects.filter(org__slug='jo-sells-homes')"
        ".values_list('role', flat=True)))",
    ).stdout
    assert "broker_owner" in out and "transaction_coordinator" in out


def test_bad_input_names_the_field_and_exits_non_zero(cli_env):
    rp(cli_env, "migrate")
    # Its own owner, so the test does not depend on another test having run first.
    rp(
        cli_env,
        "createuser",
        "zone-owner@solo-homes.example.com",
        "--password",
        "a-long-pass-phrase-79",
    )
    weak = rp(cli_env, "createuser", "x@solo-homes.example.com", "--password", "123", check=False)
    assert weak.returncode == 2 and "password" in weak.stderr
    bad_zone = rp(
        cli_env,
        "createorg",
        "Nowhere",
        "--owner",
        "zone-owner@solo-homes.example.com",
        "--time-zone",
        "Mars/Olympus",
        check=False,
    )
    assert bad_zone.returncode == 2 and "time_zone" in bad_zone.stderr
    assert rp(cli_env, "bench", "no-such-scenario", check=False).returncode == 2


def test_bench_demo_prints_json_with_a_same_run_baseline(cli_env):
    rp(cli_env, "migrate")
    result = json.loads(rp(cli_env, "bench", "demo", "--scale", "2000").stdout)
    assert result["contacts"] == 2000
    assert result["demo"]["contacts_per_s"] > 0
    assert result["baseline_raw_bulk_insert"]["rows_per_s"] > 0
    assert result["ratio_demo_to_baseline"] > 0


def test_production_settings_pass_the_deploy_checklist(cli_env):
    env = {
        **cli_env,
        "SECRET_KEY": "x" * 20 + "-production-secret-key-with-enough-entropy-0123",
        "ALLOWED_HOSTS": "crm.example.com",
        "SECURE": "1",
        "DEBUG": "0",
    }
    result = rp(env, "manage", "check", "--deploy", "--fail-level", "WARNING")
    assert "no issues" in result.stdout


def test_secret_key_is_generated_once_into_the_var_dir(cli_env):
    rp(cli_env, "migrate")
    key_file = Path(cli_env["RALLYPOYNT_VAR_DIR"]) / "secret_key"
    first = key_file.read_text()
    rp(cli_env, "migrate")
    assert key_file.read_text() == first and len(first) > 50
    assert oct(key_file.stat().st_mode & 0o777) == "0o600"
